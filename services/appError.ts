/**
 * The one application error type. `status` is the HTTP status a route answers with;
 * `code` is a stable machine-readable name; `message` is safe to show to a client
 * (never a stack trace or internal detail).
 */
export class AppError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status = 400,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(code: string, message: string, details?: Record<string, unknown>): AppError {
    return new AppError(code, message, 400, details);
  }
  static notFound(code: string, message: string): AppError {
    return new AppError(code, message, 404);
  }
  static conflict(code: string, message: string, details?: Record<string, unknown>): AppError {
    return new AppError(code, message, 409, details);
  }
}
