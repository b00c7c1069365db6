// The support console of the order service: find an order by its uid, search by track number,
// customer and date range, watch new orders arrive live, upload one, erase an order's personal
// data (with the API token).
//
// Rules this file keeps, because the page shows data anyone could have uploaded:
// - every value reaches the DOM as text (createElement + createTextNode/textContent); no
//   innerHTML, outerHTML, insertAdjacentHTML or document.write anywhere;
// - no inline script or style: the page is served with a CSP that forbids both, so state is
//   shown with classes and the `hidden` attribute;
// - links are built from a checked order_uid only, as same-page `#uid` fragments;
// - plain promise chains and explicit loops (no async/await, no spread into calls, no holes in
//   destructuring), data-* attributes set one by one, dates formatted here: the page then runs in
//   every engine the tests use, the pure-Java HtmlUnit included, and reads the same in each.
'use strict';

(function orderLookupPage() {
  const RECENT_LIMIT = 20;
  const SEARCH_LIMIT = 20;
  const ORDER_UID = /^[A-Za-z0-9_-]{1,64}$/;
  // What an erasure leaves in an order's delivery (the server's PersonalData markers).
  const ERASED_MARKER = '[erased]';
  const ERASED_EMAIL = 'erased@erased.invalid';
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun',
    'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  // The API token, when this tab was given one: sessionStorage ends with the tab.
  const TOKEN_KEY = 'order-service.api-token';
  // A long poll waits this long for new orders before it is answered empty and asked again.
  const POLL_WAIT_SECONDS = 25;
  // Engines without a working EventSource may run one request at a time (HtmlUnit does): a long
  // poll would hold every other request of the page up, so they ask briefly and often instead.
  const SHORT_POLL_WAIT_SECONDS = 1;
  // How long the stream may take to open before the page polls instead.
  const STREAM_OPEN_TIMEOUT_MS = 5000;
  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 30000;
  const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
  const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
  const OFFSET_DATE_TIME =
    /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}(:\d{2}(:\d{2})?)?)$/;

  const $ = (id) => document.getElementById(id);
  const ui = {
    lookupForm: $('lookup-form'),
    uidInput: $('order-uid'),
    lookupButton: $('lookup-button'),
    lookupStatus: $('lookup-status'),
    orderView: $('order-view'),
    recentRefresh: $('recent-refresh'),
    recentStatus: $('recent-status'),
    recentList: $('recent-list'),
    uploadForm: $('upload-form'),
    fileInput: $('order-file'),
    tokenInput: $('api-token'),
    tokenNote: $('token-note'),
    uploadButton: $('upload-button'),
    uploadStatus: $('upload-status'),
    trackInput: $('search-track'),
    customerInput: $('search-customer'),
    fromInput: $('search-from'),
    toInput: $('search-to'),
    timeZone: $('time-zone'),
    searchResults: $('search-results'),
    searchSummary: $('search-summary'),
    searchBody: document.querySelector('#search-table tbody'),
    searchStatus: $('search-status'),
    searchMore: $('search-more'),
    liveState: $('live-state'),
    tokenPrompt: $('token-prompt'),
    tokenForm: $('token-form'),
    readToken: $('read-token'),
    tokenButton: $('token-button'),
    tokenStatus: $('token-status'),
  };

  // Each lookup gets a number; a response that arrives after a newer lookup started is dropped.
  let lookupSeq = 0;
  // The search shown: its query string without a cursor, the cursor of its next page, how many
  // rows it shows; and a number, as for lookups.
  const search = { query: '', next: '', shown: 0, seq: 0 };
  // What waits for the API token: name -> retry, each run once when a token is given.
  const waitingForToken = {};
  // The token given in this tab when sessionStorage refuses to keep it.
  let memoryToken = '';
  // The live feed's state; see "live feed" below.
  const live = {
    seq: 0, // each start of the feed gets a number; callbacks of an older one do nothing
    lastId: '',
    source: null,
    failures: 0,
    arrived: [], // summaries that arrived live, newest first
    shortPolls: false,
  };
  const LIVE_TEXT = {
    connecting: 'connecting…',
    live: 'live',
    offline: 'offline, retrying',
    locked: 'needs the token',
  };

  ui.lookupForm.addEventListener('submit', onLookupSubmit);
  ui.uploadForm.addEventListener('submit', onUploadSubmit);
  ui.searchMore.addEventListener('click', () => searchPage(true));
  ui.tokenForm.addEventListener('submit', onTokenSubmit);
  ui.tokenInput.addEventListener('input', onTokenInput);
  ui.tokenInput.addEventListener('change', onTokenInput); // a field cleared by a script
  ui.recentRefresh.addEventListener('click', () => {
    live.arrived = [];
    loadRecent();
  });
  window.addEventListener('hashchange', () => lookupFromLocation());
  // A page left for another one may be kept (the back-forward cache) with its stream still
  // connected, and a browser opens at most six connections to one server: close the feed when the
  // page is hidden, open it again if the page comes back.
  window.addEventListener('pagehide', () => stopLive());
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) {
      startLive();
      loadRecent();
    }
  });
  document.addEventListener('click', onOrderLinkClick);
  ui.timeZone.textContent = timeZoneName();
  ui.tokenInput.value = currentToken();
  showTokenState();

  lookupFromLocation();
  startLive();
  loadRecent();

  // ---------------------------------------------------------------- lookup

  function onLookupSubmit(event) {
    event.preventDefault();
    const uid = ui.uidInput.value.trim();
    if (uid === '' && searchFilled()) {
      lookupSeq++; // a lookup still under way no longer counts
      setBusy(ui.lookupButton, false);
      hideStatus(ui.lookupStatus);
      startSearch();
      return;
    }
    if (uid === '') {
      lookupSeq++;
      setBusy(ui.lookupButton, false);
      showStatus(ui.lookupStatus, 'info',
        'Enter an order_uid to look an order up, or a track number, customer or dates to search.');
      hideOrder();
      ui.uidInput.focus();
      return;
    }
    if (uidFromHash() !== uid) {
      location.hash = uid; // the hashchange listener looks it up, and the URL can be shared
    } else {
      lookup(uid);
    }
  }

  // A link to the order already in the address bar changes no hash, so it would do nothing:
  // look the order up again instead (it may have been stored since it was not found).
  function onOrderLinkClick(event) {
    const link = event.target instanceof Element ? event.target.closest('a[data-uid]') : null;
    const uid = link ? link.getAttribute('data-uid') : null;
    if (uid !== null && uid === uidFromHash()) {
      event.preventDefault();
      ui.uidInput.value = uid;
      lookup(uid);
    }
  }

  function lookupFromLocation() {
    const uid = uidFromHash() || new URLSearchParams(location.search).get('order_uid') || '';
    if (uid.trim() !== '') {
      ui.uidInput.value = uid.trim();
      lookup(uid.trim());
    }
  }

  function uidFromHash() {
    const raw = location.hash.replace(/^#/, '');
    try {
      return decodeURIComponent(raw);
    } catch (e) {
      return raw;
    }
  }

  function lookup(uid) {
    const seq = ++lookupSeq;
    setBusy(ui.lookupButton, true);
    showStatus(ui.lookupStatus, 'loading', 'Looking up order ' + uid + '…');
    hideOrder();
    return getText('/orders/' + encodeURIComponent(uid)).then((outcome) => {
      if (seq !== lookupSeq) {
        return;
      }
      setBusy(ui.lookupButton, false);
      if (outcome.status === 401) {
        showStatus(ui.lookupStatus, 'info', 'Looking orders up needs the API token.',
          ['Enter it above; the lookup runs again.']);
        needToken('lookup', () => lookup(uid));
        return;
      }
      showLookupOutcome(uid, outcome);
    });
  }

  function showLookupOutcome(uid, outcome) {
    const status = outcome.status;
    const text = outcome.text;
    const body = outcome.body;
    if (status === 200 && body && typeof body === 'object' && !Array.isArray(body)) {
      hideStatus(ui.lookupStatus);
      renderOrder(body, text);
    } else if (status === 200) {
      showStatus(ui.lookupStatus, 'error', 'The server answered with something that is not an order.');
    } else if (status === 404) {
      showStatus(ui.lookupStatus, 'notfound', 'Order ' + uid + ' not found.',
        ['No order with this order_uid is stored.']);
    } else if (status === 400) {
      showStatus(ui.lookupStatus, 'error', 'Malformed order_uid: ' + uid,
        violationLines(body, errorText(body, 'the server refused it')));
    } else if (status === 0) {
      showStatus(ui.lookupStatus, 'error', 'Could not reach the server.',
        ['Check the connection and try again.']);
    } else {
      showStatus(ui.lookupStatus, 'error', 'The lookup failed (HTTP ' + status + ').',
        [errorText(body, 'The server could not answer; try again later.')]);
    }
  }

  // ---------------------------------------------------------------- the order document

  function renderOrder(order, rawText) {
    const payment = asObject(order.payment);
    const delivery = asObject(order.delivery);
    const items = Array.isArray(order.items) ? order.items : [];
    const currency = str(payment.currency);

    const view = ui.orderView;
    replaceChildren(view, [
      orderHeader(order),
      el('div', { className: 'order__blocks' },
        block('Delivery', 'delivery', [
          ['Name', delivery.name, 'delivery.name'],
          ['Phone', delivery.phone, 'delivery.phone'],
          ['E-mail', delivery.email, 'delivery.email'],
          ['Address', delivery.address, 'delivery.address'],
          ['City', delivery.city, 'delivery.city'],
          ['Region', delivery.region, 'delivery.region'],
          ['ZIP', delivery.zip, 'delivery.zip'],
        ]),
        block('Payment', 'payment', [
          ['Amount', money(payment.amount, currency), 'payment.amount', 'strong'],
          ['Goods total', money(payment.goods_total, currency), 'payment.goods_total'],
          ['Delivery cost', money(payment.delivery_cost, currency), 'payment.delivery_cost'],
          ['Custom fee', money(payment.custom_fee, currency), 'payment.custom_fee'],
          ['Currency', payment.currency, 'payment.currency'],
          ['Paid at', unixDate(payment.payment_dt), 'payment.payment_dt'],
          ['Provider', payment.provider, 'payment.provider'],
          ['Bank', payment.bank, 'payment.bank'],
          ['Transaction', payment.transaction, 'payment.transaction', 'mono'],
          ['Request id', payment.request_id, 'payment.request_id', 'mono'],
        ])),
      itemsSection(items, payment, currency),
      rawJson(rawText)]);
    view.hidden = false;
  }

  function orderHeader(order) {
    const erased = isErased(order);
    const title = el('h2', { className: 'order__title', id: 'order-heading' },
      'Order ', el('span', { className: 'mono', dataset: { field: 'order_uid' } }, str(order.order_uid)),
      erased ? el('span', { className: 'badge badge--erased', id: 'erased-badge' }, 'personal data erased') : []);
    return el('header', { className: 'order__header card' },
      el('div', { className: 'order__titlebar' },
        title,
        el('p', { className: 'order__created' },
          'Created ', dateWithRaw(order.date_created, 'date_created'))),
      fieldList('order__fields', [
        ['Track number', order.track_number, 'track_number', 'mono'],
        ['Entry', order.entry, 'entry'],
        ['Customer', order.customer_id, 'customer_id'],
        ['Delivery service', order.delivery_service, 'delivery_service'],
        ['Locale', order.locale, 'locale'],
        ['Shard key', order.shardkey, 'shardkey'],
        ['SM id', order.sm_id, 'sm_id'],
        ['OOF shard', order.oof_shard, 'oof_shard'],
        ['Internal signature', order.internal_signature, 'internal_signature', 'mono'],
      ]),
      erased ? erasedNotice() : eraseAction(str(order.order_uid)));
  }

  function block(title, name, rows) {
    return el('section', { className: 'card order__block', dataset: { block: name } },
      el('h3', { className: 'card__title' }, title),
      fieldList('fields', rows));
  }

  // rows: [label, value (string, number or Node), data-field, optional class]
  function fieldList(className, rows) {
    const dl = el('dl', { className });
    for (const row of rows) {
      const label = row[0];
      const value = row[1];
      const field = row[2];
      const kind = row[3];
      const dd = el('dd', { dataset: { field } }, value instanceof Node ? value : display(value));
      if (kind) {
        dd.classList.add(kind);
      }
      if (!(value instanceof Node) && str(value) === '') {
        dd.classList.add('empty');
      }
      dl.appendChild(el('div', { className: 'fields__row' }, el('dt', {}, label), dd));
    }
    return dl;
  }

  function itemsSection(items, payment, currency) {
    const columns = [
      ['Name', 'name'], ['Brand', 'brand'], ['Size', 'size'],
      ['Price', 'price', 'num'], ['Sale\u00a0%', 'sale', 'num'], ['Total price', 'total_price', 'num'],
      ['chrt_id', 'chrt_id', 'num mono'], ['nm_id', 'nm_id', 'num mono'], ['rid', 'rid', 'mono'],
      ['Status', 'status', 'num'],
    ];
    const head = el('tr', {}, columns.map((column) =>
      el('th', { scope: 'col', className: column[2] || '' }, column[0])));
    const body = el('tbody', {});
    let sum = 0;
    items.forEach((item, index) => {
      const it = asObject(item);
      sum += Number.isFinite(it.total_price) ? it.total_price : 0;
      body.appendChild(el('tr', { dataset: { item: String(index) } }, columns.map((column) =>
        el('td', { className: column[2] || '', dataset: { field: column[1] } },
          display(it[column[1]])))));
    });

    const goodsTotal = payment.goods_total;
    const matches = Number.isFinite(goodsTotal) && goodsTotal === sum;
    const totals = el('tr', { className: 'totals', id: 'items-totals' },
      el('th', { scope: 'row', colSpan: 5 },
        'Total (' + items.length + (items.length === 1 ? ' item)' : ' items)')),
      el('td', { className: 'num', dataset: { field: 'items_total' } }, money(sum, currency)),
      el('td', { colSpan: 4, className: 'totals__goods' },
        'goods_total in payment: ',
        el('span', { dataset: { field: 'goods_total' } }, money(goodsTotal, currency)),
        ' ',
        el('span', { className: matches ? 'badge badge--ok' : 'badge badge--warn' },
          matches ? 'matches' : 'differs')));

    return el('section', { className: 'card order__items', dataset: { block: 'items' } },
      el('h3', { className: 'card__title' }, 'Items'),
      el('div', { className: 'table-scroll', tabIndex: 0, role: 'region', ariaLabel: 'Items' },
        el('table', { className: 'items', id: 'items-table' },
          el('thead', {}, head),
          body,
          el('tfoot', {}, totals))));
  }

  function rawJson(rawText) {
    return el('details', { className: 'card raw' },
      el('summary', {}, 'Raw JSON (as served)'),
      el('pre', { className: 'raw__json', id: 'raw-json' }, rawText));
  }

  function hideOrder() {
    ui.orderView.hidden = true;
    replaceChildren(ui.orderView, []);
  }

  // ---------------------------------------------------------------- erasure

  // Whether the order's personal data was erased: its delivery carries the server's markers.
  function isErased(order) {
    const delivery = asObject(order.delivery);
    return delivery.name === ERASED_MARKER && delivery.email === ERASED_EMAIL;
  }

  function erasedNotice() {
    return el('p', { className: 'erased-notice', id: 'erased-notice', role: 'note' },
      el('strong', {}, 'Personal data erased. '),
      'The delivery\'s name, phone, e-mail, address, city, region and ZIP were replaced by markers'
        + ' and the customer id by a pseudonym; amounts, items, dates and track numbers are as'
        + ' they were.');
  }

  // The Erase button (shown while the tab has a token), its confirmation and its status.
  function eraseAction(uid) {
    const parts = {
      button: el('button', { type: 'button', id: 'erase-button', className: 'button button--danger button--small' },
        'Erase personal data…'),
      confirm: el('button', { type: 'button', id: 'erase-confirm', className: 'button button--danger' },
        'Erase for good'),
      cancel: el('button', { type: 'button', id: 'erase-cancel', className: 'button' }, 'Cancel'),
      status: el('div', { id: 'erase-status', className: 'status', role: 'status' }),
    };
    parts.dialog = el('div', { id: 'erase-dialog', className: 'erase__dialog', role: 'alertdialog' },
      el('p', { className: 'erase__question', id: 'erase-question' },
        'Erase the personal data of order ', el('span', { className: 'mono' }, uid), '?'),
      el('p', { className: 'erase__explained', id: 'erase-explained' },
        'The delivery\'s name, phone, e-mail, address, city, region and ZIP are replaced by markers'
          + ' and the customer id by a pseudonym, in the database and in every instance of the'
          + ' service. ', el('strong', {}, 'This cannot be undone.')),
      el('div', { className: 'erase__buttons' }, parts.confirm, parts.cancel));
    parts.dialog.setAttribute('aria-labelledby', 'erase-question');
    parts.dialog.setAttribute('aria-describedby', 'erase-explained');
    parts.dialog.hidden = true;
    parts.status.setAttribute('aria-live', 'polite');
    parts.status.hidden = true;
    parts.button.hidden = currentToken() === '';
    parts.button.addEventListener('click', () => {
      hideStatus(parts.status);
      parts.dialog.hidden = false;
      parts.cancel.focus(); // the safe choice is the one a stray Enter takes
    });
    parts.cancel.addEventListener('click', () => closeEraseDialog(parts));
    parts.dialog.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        closeEraseDialog(parts);
      }
    });
    parts.confirm.addEventListener('click', () => erase(uid, parts));
    return el('div', { className: 'erase', id: 'erase-action' }, parts.button, parts.dialog, parts.status);
  }

  function closeEraseDialog(parts) {
    parts.dialog.hidden = true;
    parts.button.focus();
  }

  // POST /orders/{uid}/erase with the tab's token; then the order as the service now serves it.
  function erase(uid, parts) {
    const token = currentToken();
    if (token === '') {
      parts.dialog.hidden = true;
      showStatus(parts.status, 'error', 'Erasing needs the API token.', ['Enter it under API token.']);
      return;
    }
    const seq = lookupSeq;
    setBusy(parts.confirm, true);
    setBusy(parts.cancel, true);
    showStatus(parts.status, 'loading', 'Erasing the personal data of order ' + uid + '…');
    return request('/orders/' + encodeURIComponent(uid) + '/erase', {
      method: 'POST',
      headers: { Accept: 'application/json', Authorization: 'Bearer ' + token },
      cache: 'no-store',
    }).then((outcome) => {
      setBusy(parts.confirm, false);
      setBusy(parts.cancel, false);
      parts.dialog.hidden = true;
      if (outcome.status !== 200) {
        showEraseFailure(uid, outcome, parts.status);
      } else if (seq === lookupSeq) { // else another order is shown by now
        showErasedOrder(uid, asObject(outcome.body));
      }
    });
  }

  function showErasedOrder(uid, counts) {
    const seq = ++lookupSeq;
    return getText('/orders/' + encodeURIComponent(uid)).then((outcome) => {
      if (seq !== lookupSeq) {
        return;
      }
      showLookupOutcome(uid, outcome);
      if (outcome.status === 200) {
        showStatus(ui.lookupStatus, 'ok', 'Personal data of order ' + uid + ' erased.',
          [Number(counts.already_erased) > 0
            ? 'It had been erased before; nothing changed.'
            : 'Below is the order as the service now stores and serves it.']);
      }
    });
  }

  function showEraseFailure(uid, outcome, box) {
    const body = outcome.body;
    switch (outcome.status) {
      case 401:
        showStatus(box, 'error', 'The server refused the API token (HTTP 401).',
          ['Check the token under API token, then erase again. Nothing was erased.']);
        break;
      case 403:
        showStatus(box, 'error', 'This server does not allow erasure (HTTP 403).',
          [errorText(body, 'It has no API token set.'), 'Nothing was erased.']);
        break;
      case 404:
        showStatus(box, 'notfound', 'Order ' + uid + ' is not stored (HTTP 404).',
          ['Nothing was erased.']);
        break;
      case 0:
        showStatus(box, 'error', 'Could not reach the server.',
          ['The order may or may not have been erased: look it up again.']);
        break;
      default:
        showStatus(box, 'error', 'The erasure failed (HTTP ' + outcome.status + ').',
          [errorText(body, 'The server could not answer.'), 'Look the order up again to see its state.']);
    }
  }

  // ---------------------------------------------------------------- search

  function searchFilled() {
    return [ui.trackInput, ui.customerInput, ui.fromInput, ui.toInput]
      .some((input) => input.value.trim() !== '');
  }

  // Reads the form into a query string (or shows what is wrong with it) and shows its first page.
  function startSearch() {
    const params = [];
    const problems = [];
    addText(params, 'track_number', ui.trackInput.value);
    addText(params, 'customer_id', ui.customerInput.value);
    addInstant(params, problems, 'from', ui.fromInput.value, false);
    addInstant(params, problems, 'to', ui.toInput.value, true);
    hideOrder();
    if (problems.length > 0) {
      search.seq++;
      showSearch();
      replaceChildren(ui.searchBody, []);
      ui.searchSummary.textContent = '';
      ui.searchMore.hidden = true;
      showStatus(ui.searchStatus, 'error', 'Check the dates:', problems);
      return;
    }
    params.push('limit=' + SEARCH_LIMIT);
    search.query = params.join('&');
    search.next = '';
    search.shown = 0;
    searchPage(false);
  }

  function addText(params, name, value) {
    const text = value.trim();
    if (text !== '') {
      params.push(name + '=' + encodeURIComponent(text));
    }
  }

  // A day (that whole day in this browser's time zone: from its start, up to the next day's), a
  // date-time without an offset (this browser's local time) or one with an offset, as an instant.
  function addInstant(params, problems, name, value, endOfDay) {
    const text = value.trim();
    if (text === '') {
      return;
    }
    if (OFFSET_DATE_TIME.test(text)) {
      params.push(name + '=' + encodeURIComponent(text)); // the server reads it as it is
      return;
    }
    let instant = null;
    const day = DAY.exec(text);
    if (day) {
      const date = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + (endOfDay ? 1 : 0));
      instant = sameDay(date, Number(day[1]), Number(day[2]), Number(day[3]), endOfDay) ? date : null;
    } else if (LOCAL_DATE_TIME.test(text)) {
      instant = localDateTime(text);
    }
    if (instant === null || Number.isNaN(instant.getTime())) {
      problems.push(el('span', {},
        el('code', { className: 'violation__path' }, name),
        ': enter a day (2021-11-26) or a date-time (2021-11-26T09:22, 2021-11-26T06:22:19Z)'));
      return;
    }
    params.push(name + '=' + encodeURIComponent(instant.toISOString()));
  }

  // Whether the Date built from y-m-d (plus one day for an end) is that day: 2021-02-30 is not.
  function sameDay(date, year, month, day, endOfDay) {
    const start = endOfDay ? new Date(date.getFullYear(), date.getMonth(), date.getDate() - 1) : date;
    return start.getFullYear() === year && start.getMonth() === month - 1 && start.getDate() === day;
  }

  function localDateTime(text) {
    const parts = text.split(/[Tt ]/);
    const date = parts[0].split('-');
    const time = parts[1].split(':');
    const seconds = time.length > 2 ? Number(time[2]) : 0;
    const local = new Date(Number(date[0]), Number(date[1]) - 1, Number(date[2]),
      Number(time[0]), Number(time[1]), Math.floor(seconds), Math.round((seconds % 1) * 1000));
    return local.getMonth() === Number(date[1]) - 1 && local.getDate() === Number(date[2])
      ? local : null;
  }

  // The first page (more: false) or the next one (more: true) of the search shown.
  function searchPage(more) {
    const seq = ++search.seq;
    const url = '/orders?' + search.query
      + (more && search.next !== '' ? '&cursor=' + encodeURIComponent(search.next) : '');
    showSearch();
    if (!more) {
      replaceChildren(ui.searchBody, []);
      ui.searchSummary.textContent = '';
      ui.searchMore.hidden = true;
    }
    setBusy(ui.lookupButton, true);
    setBusy(ui.searchMore, true);
    showStatus(ui.searchStatus, 'loading', more ? 'Loading more…' : 'Searching…');
    return getText(url).then((outcome) => {
      if (seq !== search.seq) {
        return;
      }
      setBusy(ui.lookupButton, false);
      setBusy(ui.searchMore, false);
      const body = outcome.body;
      if (outcome.status === 200 && body && Array.isArray(body.orders)) {
        hideStatus(ui.searchStatus);
        renderResults(body.orders, typeof body.next === 'string' ? body.next : '');
      } else if (outcome.status === 401) {
        showStatus(ui.searchStatus, 'info', 'Searching needs the API token.',
          ['Enter it above; the search runs again.']);
        needToken('search', () => searchPage(more));
      } else if (outcome.status === 400) {
        showStatus(ui.searchStatus, 'error', 'The server refused the search:',
          violationLines(body, errorText(body, 'check the fields')));
      } else if (outcome.status === 0) {
        showStatus(ui.searchStatus, 'error', 'Could not reach the server.',
          ['Check the connection and try again.']);
      } else {
        showStatus(ui.searchStatus, 'error', 'The search failed (HTTP ' + outcome.status + ').',
          [errorText(body, 'The server could not answer; try again later.')]);
      }
    });
  }

  function showSearch() {
    ui.searchResults.hidden = false;
  }

  function renderResults(summaries, next) {
    for (let i = 0; i < summaries.length; i++) {
      ui.searchBody.appendChild(resultRow(asObject(summaries[i])));
    }
    search.shown += summaries.length;
    search.next = next;
    ui.searchMore.hidden = next === '';
    if (search.shown === 0) {
      ui.searchSummary.textContent = '';
      showStatus(ui.searchStatus, 'info', 'No orders match.');
    } else {
      ui.searchSummary.textContent = search.shown + (search.shown === 1 ? ' order' : ' orders')
        + (next === '' ? '' : ', more match');
    }
  }

  function resultRow(summary) {
    const uid = str(summary.order_uid);
    const count = Number(summary.item_count);
    return el('tr', { dataset: { uid } },
      el('td', { className: 'mono', dataset: { field: 'order_uid' } }, orderLink(uid)),
      el('td', { dataset: { field: 'date_created' } }, shortDate(summary.date_created)),
      el('td', { className: 'mono', dataset: { field: 'track_number' } }, display(summary.track_number)),
      el('td', { dataset: { field: 'customer_id' } }, display(summary.customer_id)),
      el('td', { className: 'num', dataset: { field: 'amount' } },
        money(summary.amount, str(summary.currency))),
      el('td', { className: 'num', dataset: { field: 'item_count' } },
        Number.isFinite(count) ? String(count) : display(summary.item_count)));
  }

  // ---------------------------------------------------------------- recent orders

  function loadRecent() {
    setBusy(ui.recentRefresh, true);
    showStatus(ui.recentStatus, 'loading', 'Loading…');
    return getText('/orders?limit=' + RECENT_LIMIT).then((outcome) => {
      const status = outcome.status;
      const body = outcome.body;
      setBusy(ui.recentRefresh, false);
      if (status === 200 && body && Array.isArray(body.orders)) {
        renderRecent(body.orders);
      } else if (status === 401) {
        showStatus(ui.recentStatus, 'info', 'Reading orders needs the API token.');
        needToken('recent', loadRecent);
      } else if (status === 0) {
        showStatus(ui.recentStatus, 'error', 'Could not reach the server.');
      } else {
        showStatus(ui.recentStatus, 'error',
          'Could not load the recent orders (HTTP ' + status + ').', [errorText(body, '')]);
      }
    });
  }

  // The newest orders: those that arrived live since the page loaded first, then the server's.
  function renderRecent(summaries) {
    const seen = {};
    const entries = [];
    const all = live.arrived.concat(summaries);
    for (let i = 0; i < all.length && entries.length < RECENT_LIMIT; i++) {
      const summary = asObject(all[i]);
      const uid = str(summary.order_uid);
      if (!Object.prototype.hasOwnProperty.call(seen, uid)) {
        seen[uid] = true;
        entries.push(recentEntry(summary, i < live.arrived.length));
      }
    }
    replaceChildren(ui.recentList, entries);
    if (entries.length === 0) {
      showStatus(ui.recentStatus, 'info', 'No orders stored yet.');
    } else {
      hideStatus(ui.recentStatus);
    }
  }

  function recentEntry(summary, arrived) {
    const uid = str(summary.order_uid);
    const count = Number(summary.item_count);
    const meta = el('span', { className: 'recent__meta' },
      shortDate(summary.date_created),
      el('span', {}, money(summary.amount, str(summary.currency))),
      el('span', {}, count + (count === 1 ? ' item' : ' items')));
    const label = el('span', { className: 'recent__uid mono' }, uid);
    const track = el('span', { className: 'recent__track mono', dataset: { field: 'track_number' } },
      display(summary.track_number));
    const entry = ORDER_UID.test(uid)
      ? el('a', { className: 'recent__link', href: '#' + uid, dataset: { uid } }, label, track, meta)
      : el('span', { className: 'recent__link recent__link--broken' }, label, track, meta);
    return el('li', { className: arrived ? 'recent__item recent__item--new' : 'recent__item' }, entry);
  }

  // ---------------------------------------------------------------- live feed

  // The live feed of stored orders: GET /orders/stream (EventSource) where the browser has a
  // working EventSource and no token is needed (EventSource cannot send one); else long polls of
  // GET /orders/events with the token. Either resumes after the last event it had, so nothing is
  // missed while it reconnects; when the server cannot resume it (it restarted, or the gap is too
  // long) it says reload, and the list is loaded again.
  function startLive() {
    stopLive();
    const seq = live.seq;
    live.shortPolls = !hasEventSource();
    if (currentToken() === '' && hasEventSource()) {
      openStream(seq);
    } else {
      poll(seq, 0);
    }
  }

  // Whether EventSource is implemented, not only named (HtmlUnit names it, and it never opens).
  function hasEventSource() {
    return typeof window.EventSource === 'function' && !!window.EventSource.prototype
      && typeof window.EventSource.prototype.close === 'function';
  }

  function stopLive() {
    live.seq++;
    if (live.source) {
      live.source.close();
      live.source = null;
    }
  }

  function openStream(seq) {
    setLive('connecting');
    let source = null;
    try {
      source = new window.EventSource('/orders/stream'
        + (live.lastId !== '' ? '?last_event_id=' + encodeURIComponent(live.lastId) : ''));
    } catch (e) {
      source = null;
    }
    if (!source || typeof source.readyState !== 'number') {
      live.shortPolls = true; // see SHORT_POLL_WAIT_SECONDS
      poll(seq, 0);
      return;
    }
    live.source = source;
    let opened = false;
    const giveUp = setTimeout(() => {
      if (!opened && seq === live.seq) {
        stopLive();
        poll(live.seq, 0); // a proxy that holds streams back, say: polls get through
      }
    }, STREAM_OPEN_TIMEOUT_MS);
    source.addEventListener('open', () => {
      opened = true;
      clearTimeout(giveUp);
      live.failures = 0;
      setLive('live');
    });
    source.addEventListener('order', (event) => {
      live.lastId = str(event.lastEventId);
      const summary = parseJson(event.data);
      if (summary) {
        arrived([summary]);
      }
    });
    source.addEventListener('reload', (event) => {
      live.lastId = str(event.lastEventId);
      live.arrived = [];
      loadRecent();
    });
    source.addEventListener('error', () => {
      if (seq !== live.seq) {
        return;
      }
      if (source.readyState === 2) { // CLOSED: refused (401, 503) or gone; EventSource gave up
        clearTimeout(giveUp);
        stopLive();
        if (!opened) {
          poll(live.seq, 0); // a poll says why: a token needed, or the server away
        } else {
          retryLater(live.seq, openStream);
        }
      } else {
        setLive('connecting'); // EventSource reconnects by itself, after the last event it had
      }
    });
  }

  // One poll; the answer's last_id is where the next one goes on. The first waits for nothing:
  // it only tells where the feed is, so the page shows it is live at once.
  function poll(seq, wait) {
    if (seq !== live.seq) {
      return;
    }
    if (wait === 0) {
      setLive('connecting');
    }
    const url = '/orders/events?wait=' + wait
      + (live.lastId !== '' ? '&after=' + encodeURIComponent(live.lastId) : '');
    getText(url).then((outcome) => {
      if (seq !== live.seq) {
        return;
      }
      const body = outcome.body;
      if (outcome.status === 200 && body && Array.isArray(body.events)) {
        live.failures = 0;
        setLive('live');
        if (body.reload === true) {
          live.arrived = [];
          loadRecent();
        }
        const summaries = [];
        for (let i = 0; i < body.events.length; i++) {
          summaries.push(asObject(body.events[i]).order);
        }
        if (summaries.length > 0) {
          arrived(summaries);
        }
        live.lastId = str(body.last_id);
        poll(seq, live.shortPolls ? SHORT_POLL_WAIT_SECONDS : POLL_WAIT_SECONDS);
      } else if (outcome.status === 401) {
        setLive('locked');
        needToken('live', startLive);
      } else {
        setLive('offline');
        retryLater(seq, (again) => poll(again, 0));
      }
    });
  }

  function retryLater(seq, start) {
    live.failures++;
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, live.failures - 1));
    setLive('offline');
    setTimeout(() => {
      if (seq === live.seq) {
        start(seq);
      }
    }, delay);
  }

  // Orders that arrived live, oldest first: each goes to the top of the list, once.
  function arrived(summaries) {
    for (let i = 0; i < summaries.length; i++) {
      const summary = asObject(summaries[i]);
      const uid = str(summary.order_uid);
      live.arrived = [summary].concat(live.arrived.filter((s) => str(s.order_uid) !== uid))
        .slice(0, RECENT_LIMIT);
      const existing = ui.recentList.querySelector('li > [data-uid="' + cssString(uid) + '"]');
      if (existing && existing.parentNode) {
        ui.recentList.removeChild(existing.parentNode);
      }
      ui.recentList.insertBefore(recentEntry(summary, true), ui.recentList.firstChild);
    }
    while (ui.recentList.children.length > RECENT_LIMIT) {
      ui.recentList.removeChild(ui.recentList.lastChild);
    }
    hideStatus(ui.recentStatus);
  }

  function setLive(state) {
    if (ui.liveState.getAttribute('data-state') !== state) {
      ui.liveState.setAttribute('data-state', state);
      ui.liveState.textContent = LIVE_TEXT[state];
    }
  }

  // ---------------------------------------------------------------- the API token

  function storedToken() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  function keepToken(token) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, token);
    } catch (e) {
      // storage refused (private mode): the token lasts as long as the page
    }
    memoryToken = token;
  }

  function currentToken() {
    return storedToken() || memoryToken;
  }

  function forgetToken() {
    try {
      window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      // storage refused: only the page had it
    }
    memoryToken = '';
  }

  // The token field keeps what is typed into it for this tab; emptied, it forgets the token.
  function onTokenInput() {
    const token = ui.tokenInput.value.trim();
    if (token === '') {
      forgetToken();
    } else {
      keepToken(token);
    }
    showTokenState();
  }

  // What the tab can do with its token: the erase action of the order shown needs one.
  function showTokenState() {
    const hasToken = currentToken() !== '';
    ui.tokenNote.textContent = hasToken
      ? 'This tab has a token: an order looked up can be erased.'
      : 'No token in this tab: orders cannot be erased here.';
    const button = $('erase-button');
    if (button) {
      button.hidden = !hasToken;
    }
    const dialog = $('erase-dialog');
    if (dialog && !hasToken) {
      dialog.hidden = true;
    }
  }

  // Asks for the token once, however many reads were refused; each runs again when it is given.
  function needToken(name, retry) {
    waitingForToken[name] = retry;
    if (!ui.tokenPrompt.hidden) {
      return;
    }
    ui.tokenPrompt.hidden = false;
    if (currentToken() !== '') {
      showStatus(ui.tokenStatus, 'error', 'The server refused the token this tab had.',
        ['Enter the API token again.']);
    } else {
      hideStatus(ui.tokenStatus);
    }
    ui.readToken.focus();
  }

  function onTokenSubmit(event) {
    event.preventDefault();
    const token = ui.readToken.value.trim();
    if (token === '') {
      showStatus(ui.tokenStatus, 'info', 'Enter the API token.');
      ui.readToken.focus();
      return;
    }
    keepToken(token);
    ui.tokenInput.value = token;
    showTokenState();
    ui.readToken.value = '';
    ui.tokenPrompt.hidden = true;
    hideStatus(ui.tokenStatus);
    const names = Object.keys(waitingForToken);
    for (let i = 0; i < names.length; i++) {
      const retry = waitingForToken[names[i]];
      delete waitingForToken[names[i]];
      retry();
    }
  }

  // ---------------------------------------------------------------- upload

  function onUploadSubmit(event) {
    event.preventDefault();
    const file = ui.fileInput.files && ui.fileInput.files[0];
    if (!file) {
      showStatus(ui.uploadStatus, 'info', 'Choose a JSON file first.');
      ui.fileInput.focus();
      return;
    }
    const form = new FormData();
    form.append('order_file', file, file.name);
    const headers = { Accept: 'application/json' };
    const token = currentToken();
    if (token !== '') {
      headers.Authorization = 'Bearer ' + token;
    }
    setBusy(ui.uploadButton, true);
    showStatus(ui.uploadStatus, 'loading', 'Uploading ' + file.name + '…');
    return request('/orders/create', { method: 'POST', body: form, headers: headers })
      .then((outcome) => {
        setBusy(ui.uploadButton, false);
        showUploadOutcome(file.name, outcome.status, outcome.body);
        if (outcome.status === 200 || outcome.status === 201) {
          loadRecent();
        }
      });
  }

  function showUploadOutcome(fileName, status, body) {
    const uid = str(asObject(body).order_uid);
    switch (status) {
      case 201:
        showStatus(ui.uploadStatus, 'ok', ['Created order ', orderLink(uid), '.']);
        break;
      case 200:
        showStatus(ui.uploadStatus, 'ok', ['Already stored: order ', orderLink(uid), ' has exactly this content.']);
        break;
      case 409:
        showStatus(ui.uploadStatus, 'error', 'Conflict: ' + errorText(body, 'this order_uid is stored with other content') + '.');
        break;
      case 400: {
        const lines = violationLines(body, '');
        showStatus(ui.uploadStatus, 'error', 'Invalid order in ' + fileName + ':',
          lines.length > 0 ? lines : [errorText(body, 'the server refused it')]);
        break;
      }
      case 401:
        showStatus(ui.uploadStatus, 'error', 'A bearer token is needed to upload.',
          ['Enter the API token below and upload again.']);
        ui.tokenInput.focus();
        break;
      case 413:
        showStatus(ui.uploadStatus, 'error', 'The file is too large.', [errorText(body, 'The server refused its size.')]);
        break;
      case 0:
        showStatus(ui.uploadStatus, 'error', 'Could not reach the server.', ['The upload may not have arrived; try again.']);
        break;
      default:
        showStatus(ui.uploadStatus, 'error', 'The upload failed (HTTP ' + status + ').',
          [errorText(body, 'The server could not store it; try again later.')]);
    }
  }

  function orderLink(uid) {
    if (!ORDER_UID.test(uid)) {
      return el('span', { className: 'mono' }, uid);
    }
    return el('a', { href: '#' + uid, className: 'mono', dataset: { uid } }, uid);
  }

  // ---------------------------------------------------------------- small helpers

  // GET a JSON resource, with the tab's token if it has one; never rejects: status 0 when the
  // server could not be reached.
  function getText(url) {
    const headers = { Accept: 'application/json' };
    const token = currentToken();
    if (token !== '') {
      headers.Authorization = 'Bearer ' + token;
    }
    return request(url, { headers: headers, cache: 'no-store' });
  }

  // { status, text, body (parsed JSON or null) } of a fetch; status 0 if it failed.
  function request(url, options) {
    return fetch(url, options)
      .then((response) => response.text().then((text) =>
        ({ status: response.status, text: text, body: parseJson(text) })))
      .catch(() => ({ status: 0, text: '', body: null }));
  }

  // An element with properties (never innerHTML) and children as nodes, text, or arrays of them.
  function el(tag, props) {
    const node = document.createElement(tag);
    const entries = Object.entries(props || {});
    for (let i = 0; i < entries.length; i++) {
      const key = entries[i][0];
      const value = entries[i][1];
      if (key === 'dataset') {
        setData(node, value);
      } else if (key === 'ariaLabel') {
        node.setAttribute('aria-label', value);
      } else if (key === 'role') {
        node.setAttribute('role', value);
      } else if (key === 'scope') {
        node.setAttribute('scope', value);
      } else if (value !== '') {
        node[key] = value;
      }
    }
    appendAll(node, Array.prototype.slice.call(arguments, 2));
    return node;
  }

  function appendAll(node, children) {
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (Array.isArray(child)) {
        appendAll(node, child);
      } else {
        node.appendChild(child instanceof Node ? child : document.createTextNode(str(child)));
      }
    }
  }

  function replaceChildren(node, children) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
    appendAll(node, children);
  }

  // data-* attributes from { name: value } (lower-case names).
  function setData(node, values) {
    const names = Object.keys(values);
    for (let i = 0; i < names.length; i++) {
      node.setAttribute('data-' + names[i], str(values[names[i]]));
    }
  }

  // A status box: a headline (text, or a list of text and nodes) and optional detail lines.
  // The kind (loading, info, ok, notfound, error) is a data attribute the CSS styles.
  function showStatus(box, kind, headline, details) {
    box.setAttribute('data-kind', kind);
    box.setAttribute('aria-busy', kind === 'loading' ? 'true' : 'false');
    const children = [el('p', { className: 'status__headline' }, headline)];
    const lines = (details || []).filter((line) => line instanceof Node || str(line) !== '');
    if (lines.length === 1) {
      children.push(el('p', { className: 'status__detail' }, lines[0]));
    } else if (lines.length > 1) {
      children.push(el('ul', { className: 'status__details' },
        lines.map((line) => el('li', {}, line))));
    }
    replaceChildren(box, children);
    box.hidden = false;
  }

  function hideStatus(box) {
    box.hidden = true;
    replaceChildren(box, []);
  }

  function setBusy(button, busy) {
    button.disabled = busy;
    button.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  function violationLines(body, fallback) {
    const violations = Array.isArray(asObject(body).violations) ? body.violations : [];
    const lines = violations.map((v) => {
      const violation = asObject(v);
      const path = str(violation.path);
      return el('span', {},
        el('code', { className: 'violation__path' }, path === '' ? '(document)' : path),
        ': ' + str(violation.reason));
    });
    return lines.length > 0 || fallback === '' ? lines : [fallback];
  }

  function errorText(body, fallback) {
    const error = str(asObject(body).error);
    return error !== '' ? error : fallback;
  }

  function dateWithRaw(value, field) {
    const raw = str(value);
    const readable = readableDate(raw);
    const time = el('time', { dateTime: raw, dataset: { field } }, readable || raw);
    return readable
      ? el('span', {}, time, ' ', el('span', { className: 'raw-value mono' }, '(' + raw + ')'))
      : time;
  }

  function unixDate(seconds) {
    if (!Number.isFinite(seconds)) {
      return display(seconds);
    }
    const readable = readableDate(new Date(seconds * 1000).toISOString());
    return el('span', {},
      el('time', { dateTime: new Date(seconds * 1000).toISOString() }, readable || String(seconds)),
      ' ', el('span', { className: 'raw-value mono' }, '(' + seconds + ')'));
  }

  // A day for the list, with the full UTC time as a tooltip.
  function shortDate(iso) {
    const raw = str(iso);
    const date = new Date(raw);
    if (Number.isNaN(date.getTime())) {
      return el('span', {}, raw);
    }
    return el('time', { dateTime: raw, title: readableDate(raw) }, utcDay(date));
  }

  // "26 Nov 2021, 06:22:19 UTC": the same text in every browser and locale.
  function readableDate(iso) {
    const date = new Date(str(iso));
    if (Number.isNaN(date.getTime())) {
      return '';
    }
    return utcDay(date) + ', ' + twoDigits(date.getUTCHours()) + ':'
      + twoDigits(date.getUTCMinutes()) + ':' + twoDigits(date.getUTCSeconds()) + ' UTC';
  }

  function utcDay(date) {
    return date.getUTCDate() + ' ' + MONTHS[date.getUTCMonth()] + ' ' + date.getUTCFullYear();
  }

  // "UTC+03:00", the offset of this browser's time zone now.
  function timeZoneName() {
    const minutes = -new Date().getTimezoneOffset();
    const sign = minutes < 0 ? '-' : '+';
    const abs = Math.abs(minutes);
    return 'UTC' + sign + twoDigits(Math.floor(abs / 60)) + ':' + twoDigits(abs % 60);
  }

  // A value for a CSS attribute selector in double quotes.
  function cssString(value) {
    return value.replace(/["\\]/g, '\\$&');
  }

  function twoDigits(n) {
    return n < 10 ? '0' + n : String(n);
  }

  function money(amount, currency) {
    if (amount === null || amount === undefined || amount === '') {
      return '—';
    }
    return currency ? str(amount) + ' ' + currency : str(amount);
  }

  function display(value) {
    return str(value) === '' ? '—' : str(value);
  }

  function str(value) {
    if (value === null || value === undefined) {
      return '';
    }
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  function asObject(value) {
    return value && typeof value === 'object' ? value : {};
  }

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }
}());
