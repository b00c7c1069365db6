// The lookup page of the order service.
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
  const ORDER_UID = /^[A-Za-z0-9_-]{1,64}$/;
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun',
    'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

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
    tokenBox: $('token-box'),
    tokenInput: $('api-token'),
    uploadButton: $('upload-button'),
    uploadStatus: $('upload-status'),
  };

  // Each lookup gets a number; a response that arrives after a newer lookup started is dropped.
  let lookupSeq = 0;

  ui.lookupForm.addEventListener('submit', onLookupSubmit);
  ui.uploadForm.addEventListener('submit', onUploadSubmit);
  ui.recentRefresh.addEventListener('click', () => loadRecent());
  window.addEventListener('hashchange', () => lookupFromLocation());
  document.addEventListener('click', onOrderLinkClick);

  lookupFromLocation();
  loadRecent();

  // ---------------------------------------------------------------- lookup

  function onLookupSubmit(event) {
    event.preventDefault();
    const uid = ui.uidInput.value.trim();
    if (uid === '') {
      lookupSeq++; // a lookup still under way no longer counts
      setBusy(ui.lookupButton, false);
      showStatus(ui.lookupStatus, 'info', 'Enter an order_uid to look an order up.');
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
    const title = el('h2', { className: 'order__title', id: 'order-heading' },
      'Order ', el('span', { className: 'mono', dataset: { field: 'order_uid' } }, str(order.order_uid)));
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
      ]));
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
      } else if (status === 0) {
        showStatus(ui.recentStatus, 'error', 'Could not reach the server.');
      } else {
        showStatus(ui.recentStatus, 'error',
          'Could not load the recent orders (HTTP ' + status + ').', [errorText(body, '')]);
      }
    });
  }

  function renderRecent(summaries) {
    replaceChildren(ui.recentList, summaries.map((s) => {
      const summary = asObject(s);
      const uid = str(summary.order_uid);
      const count = Number(summary.item_count);
      const meta = el('span', { className: 'recent__meta' },
        shortDate(summary.date_created),
        el('span', {}, money(summary.amount, str(summary.currency))),
        el('span', {}, count + (count === 1 ? ' item' : ' items')));
      const label = el('span', { className: 'recent__uid mono' }, uid);
      const entry = ORDER_UID.test(uid)
        ? el('a', { className: 'recent__link', href: '#' + uid, dataset: { uid } }, label, meta)
        : el('span', { className: 'recent__link recent__link--broken' }, label, meta);
      return el('li', { className: 'recent__item' }, entry);
    }));
    if (summaries.length === 0) {
      showStatus(ui.recentStatus, 'info', 'No orders stored yet.');
    } else {
      hideStatus(ui.recentStatus);
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
    const token = ui.tokenInput.value.trim();
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
        ui.tokenBox.open = true;
        showStatus(ui.uploadStatus, 'error', 'A bearer token is needed to upload.',
          ['Enter the API token above and upload again.']);
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

  // GET a JSON resource; never rejects: status 0 when the server could not be reached.
  function getText(url) {
    return request(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
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
