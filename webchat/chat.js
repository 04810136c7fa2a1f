/* global window, document, navigator, fetch, URLSearchParams, setTimeout, clearTimeout */
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

  var DOMAIN = window.location.origin + '/v3/directline';

  // Started here (not by Web Chat) so the stream can be tried before choosing the transport.
  async function startConversation(token, locale) {
    var response = await fetch(DOMAIN + '/conversations', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ locale: locale })
    });
    if (!response.ok) throw new Error('conversation ' + response.status);
    return response.json();
  }

  function streamWorks(streamUrl) {
    var forced = new URLSearchParams(window.location.search).get('transport');
    if (forced === 'polling' || typeof window.WebSocket !== 'function') return Promise.resolve(false);
    return new Promise(function (resolve) {
      var probe = new window.WebSocket(streamUrl);
      var timer = setTimeout(function () { probe.close(); resolve(false); }, 5000);
      probe.onopen = function () { clearTimeout(timer); probe.close(); resolve(true); };
      probe.onerror = function () { clearTimeout(timer); resolve(false); };
    });
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
      var conversation = await startConversation((await response.json()).token, locale);
      // Some corporate proxies refuse WebSockets: then Web Chat polls the same endpoint.
      var webSocket = await streamWorks(conversation.streamUrl);
      var directLine = window.WebChat.createDirectLine({
        token: conversation.token,
        conversationId: conversation.conversationId,
        domain: DOMAIN,
        webSocket: webSocket
      });
      window.rapportTransport = webSocket ? 'websocket' : 'polling';
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
