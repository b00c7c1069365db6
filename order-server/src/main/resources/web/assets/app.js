// The lookup page of the order service.
//
// Rules this file keeps, because the page shows data anyone could have uploaded:
// - every value reaches the DOM as text (createElement + createTextNode/textContent); no
//   innerHTML, outerHTML, insertAdjacentHTML or document.write anywhere;
// - no inline script or style: the page is served with a CSP that forbids both, so state is
//   shown with classes and the `hidden` attribute;
// - links are built from a checked order_uid only, as same-page `#uid` fragments.
'use strict';

(function orderLookupPage() {
  const RECENT_LIMIT = 20;
  const ORDER_UID = /^[A-Za-z0-9_-]{1,64}$/;
  const UTC = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
    hour12: false, timeZone: 'UTC',
  });

  const DAY_UTC = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
  });

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
    if (link && link.dataset.uid === uidFromHash()) {
      event.preventDefault();
      ui.uidInput.value = link.dataset.uid;
      lookup(link.dataset.uid);
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

  async function lookup(uid) {
    const seq = ++lookupSeq;
    setBusy(ui.lookupButton, true);
    showStatus(ui.lookupStatus, 'loading', 'Looking up order ' + uid + '…');
    hideOrder();
    let outcome;
    try {
      const response = await fetch('/orders/' + encodeURIComponent(uid), {
        headers: { Accept: 'application/json' },
        cache: 'no-store',
      });
      const text = await response.text();
      outcome = { status: response.status, text, body: parseJson(text) };
    } catch (e) {
      outcome = { status: 0, text: '', body: null };
    }
    if (seq !== lookupSeq) {
      return;
    }
    setBusy(ui.lookupButton, false);
    showLookupOutcome(uid, outcome);
  }

  function showLookupOutcome(uid, { status, text, body }) {
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
    view.replaceChildren(
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
      rawJson(rawText));
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
    for (const [label, value, field, kind] of rows) {
      const dd = el('dd', { dataset: { field } }, value instanceof Node ? value : display(value));
      if (kind) {
        dd.classList.add(kind);
      }
      if (!(value instanceof Node) && str(value) === '') {
        dd.classList.add('empty');
      }
      dl.append(el('div', { className: 'fields__row' }, el('dt', {}, label), dd));
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
    const head = el('tr', {}, ...columns.map(([label, , kind]) =>
      el('th', { scope: 'col', className: kind || '' }, label)));
    const body = el('tbody', {});
    let sum = 0;
    items.forEach((item, index) => {
      const it = asObject(item);
      sum += Number.isFinite(it.total_price) ? it.total_price : 0;
      body.append(el('tr', { dataset: { item: String(index) } }, ...columns.map(([, key, kind]) =>
        el('td', { className: kind || '', dataset: { field: key } }, display(it[key])))));
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
    ui.orderView.replaceChildren();
  }

  // ---------------------------------------------------------------- recent orders

  async function loadRecent() {
    setBusy(ui.recentRefresh, true);
    showStatus(ui.recentStatus, 'loading', 'Loading…');
    let status = 0;
    let body = null;
    try {
      const response = await fetch('/orders?limit=' + RECENT_LIMIT, {
        headers: { Accept: 'application/json' },
        cache: 'no-store',
      });
      status = response.status;
      body = parseJson(await response.text());
    } catch (e) {
      status = 0;
    }
    setBusy(ui.recentRefresh, false);
    if (status === 200 && Array.isArray(body)) {
      renderRecent(body);
    } else if (status === 0) {
      showStatus(ui.recentStatus, 'error', 'Could not reach the server.');
    } else {
      showStatus(ui.recentStatus, 'error', 'Could not load the recent orders (HTTP ' + status + ').',
        [errorText(body, '')]);
    }
  }

  function renderRecent(summaries) {
    ui.recentList.replaceChildren(...summaries.map((s) => {
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

  async function onUploadSubmit(event) {
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
    let status = 0;
    let body = null;
    try {
      const response = await fetch('/orders/create', { method: 'POST', body: form, headers });
      status = response.status;
      body = parseJson(await response.text());
    } catch (e) {
      status = 0;
    }
    setBusy(ui.uploadButton, false);
    showUploadOutcome(file.name, status, body);
    if (status === 200 || status === 201) {
      loadRecent();
    }
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

  // An element with properties (never innerHTML) and children as nodes or text.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === 'dataset') {
        Object.assign(node.dataset, value);
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
    for (const child of children) {
      node.append(child instanceof Node ? child : document.createTextNode(str(child)));
    }
    return node;
  }

  // A status box: a headline (text, or a list of text and nodes) and optional detail lines.
  // The kind (loading, info, ok, notfound, error) is a data attribute the CSS styles.
  function showStatus(box, kind, headline, details = []) {
    box.dataset.kind = kind;
    box.setAttribute('aria-busy', kind === 'loading' ? 'true' : 'false');
    const parts = Array.isArray(headline) ? headline : [headline];
    const children = [el('p', { className: 'status__headline' }, ...parts)];
    const lines = details.filter((line) => line instanceof Node || str(line) !== '');
    if (lines.length === 1) {
      children.push(el('p', { className: 'status__detail' }, lines[0]));
    } else if (lines.length > 1) {
      children.push(el('ul', { className: 'status__details' }, ...lines.map((line) => el('li', {}, line))));
    }
    box.replaceChildren(...children);
    box.hidden = false;
  }

  function hideStatus(box) {
    box.hidden = true;
    box.replaceChildren();
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
    return el('time', { dateTime: raw, title: readableDate(raw) }, DAY_UTC.format(date));
  }

  function readableDate(iso) {
    const date = new Date(str(iso));
    return Number.isNaN(date.getTime()) ? '' : UTC.format(date) + ' UTC';
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
