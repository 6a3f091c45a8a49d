// dom.js: building the page. Every value from the API is untrusted: it
// reaches the page only as text (textContent), never as markup: no
// string is ever parsed as HTML here or in the pages. No inline style or
// script either:
// the Content-Security-Policy would refuse them.

// el('tag', {attr: value, onclick: fn}, child, ...): strings and numbers
// become text; arrays are flattened; null and false are skipped.
export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, '');
    else if (v !== false && v != null) e.setAttribute(k, String(v));
  }
  for (const k of kids.flat(Infinity)) {
    if (k == null || k === false) continue;
    if (k instanceof Node) {
      e.append(k);
    } else {
      const t = document.createElement('span');
      t.textContent = String(k);
      e.append(t);
    }
  }
  return e;
}

// The status line: what went wrong (or right) last.
export function report(msg, bad = true) {
  const s = document.getElementById('status');
  s.textContent = msg ? String(msg) : '';
  s.className = bad ? 'error' : 'ok';
}

// After a change the current page renders anew (app.js listens).
function changed() {
  document.dispatchEvent(new Event('dindex:changed'));
}

// Run fn; report its error or, on success, what it says and re-render.
async function run(fn, done) {
  try {
    await fn();
    report(done, false);
    changed();
  } catch (e) {
    report(e.message);
  }
}

// A button running fn; with ask, only once the user confirms.
export function button(label, fn, done = label + ': done', ask = '') {
  return el('button', {
    type: 'button', onclick: () => (!ask || window.confirm(ask)) && run(fn, done),
  }, label);
}

// form([[name, label, type|options[]], ...], submit label, fn(values)):
// a checkbox gives true/false, a list of options a <select>.
export function form(fields, label, fn, done = label + ': done') {
  const f = el('form', {}, fields.map(([name, text, type = 'text']) =>
    el('label', {}, text, Array.isArray(type)
      ? el('select', { name }, type.map((o) => el('option', { value: o }, o)))
      : el('input', {
        name, type, required: type !== 'checkbox' && !text.endsWith('(optional)'),
      }))),
  el('button', { type: 'submit' }, label));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = {};
    for (const i of f.elements) {
      if (i.name) v[i.name] = i.type === 'checkbox' ? i.checked : i.value;
    }
    run(() => fn(v), done);
  });
  return f;
}

// table(['head', ...], [[cell, ...], ...]): a cell is text or a node.
export function table(heads, rows, empty = 'none') {
  if (rows.length === 0) return el('p', { class: 'empty' }, empty);
  return el('table', {},
    el('thead', {}, el('tr', {}, heads.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))));
}

// Seconds since 1970 as "YYYY-MM-DD hh:mm UTC"; '' for none.
export function when(t) {
  if (typeof t !== 'number' || t <= 0) return '';
  return new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function yes(b) {
  return b ? 'yes' : 'no';
}
