/* global window, document, navigator, fetch, URLSearchParams */
/* The Web Chat page: gets a Direct Line token from this server (the secret stays on the
 * server), then renders Web Chat on the built-in Direct Line endpoint. */
(function () {
  'use strict';

  // ?locale= wins, then the browser's languages; Chinese unless English is asked for.
  function chooseLocale() {
    var requested = new URLSearchParams(window.location.search).get('locale') || '';
    var candidates = [requested].concat(navigator.languages || [navigator.language || '']);
    for (var i = 0; i < candidates.length; i += 1) {
      if (/^zh/i.test(candidates[i])) return 'zh-CN';
      if (/^en/i.test(candidates[i])) return 'en-US';
    }
    return 'zh-CN';
  }

  function styleOptions(accent, bankInitials) {
    return {
      accent: accent,
      primaryFont: '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Segoe UI", sans-serif',
      bubbleFromUserBackground: accent,
      bubbleFromUserTextColor: '#FFFFFF',
      bubbleFromUserBorderRadius: 12,
      bubbleBorderRadius: 12,
      botAvatarInitials: bankInitials,
      botAvatarBackgroundColor: accent,
      suggestedActionBorderColor: accent,
      suggestedActionTextColor: accent,
      suggestedActionLayout: 'flow',
      sendBoxButtonColor: accent,
      hideUploadButton: true,
      backgroundColor: '#FFFFFF'
    };
  }

  async function start() {
    var locale = chooseLocale();
    var language = locale === 'zh-CN' ? 'zh-CN' : 'en';
    var status = document.getElementById('status');
    var settings = await (await fetch('/chat/settings.json')).json();
    var strings = settings.strings[language];
    var bankName = settings.bankName[language];
    document.documentElement.lang = locale;
    document.documentElement.style.setProperty('--accent', settings.accentColor);
    document.title = bankName + ' · ' + strings.title;
    document.getElementById('bank-name').textContent = bankName + ' · ' + strings.title;
    document.getElementById('subtitle').textContent = strings.subtitle;
    status.textContent = strings.loading;
    try {
      var response = await fetch('/chat/token', { method: 'POST' });
      if (!response.ok) throw new Error('token ' + response.status);
      var token = (await response.json()).token;
      var directLine = window.WebChat.createDirectLine({
        token: token,
        domain: window.location.origin + '/v3/directline',
        // Browsers without WebSocket fall back to polling the same endpoint.
        webSocket: typeof window.WebSocket === 'function'
      });
      window.WebChat.renderWebChat({
        directLine: directLine,
        locale: locale,
        styleOptions: styleOptions(settings.accentColor, language === 'zh-CN' ? bankName.slice(0, 2) : bankName.slice(0, 1))
      }, document.getElementById('webchat'));
      status.remove();
    } catch {
      status.textContent = strings.failed;
    }
  }

  start();
}());
