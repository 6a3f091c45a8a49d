// app.js: log in and out, the navigation, and which page shows. A page
// is a module exporting { id, title, admin, render(main, arg) }; the
// address is #<id>[/<arg>]. Adding a page (teams, say) is one module and
// one entry in PAGES.
import { call, session, setSession } from './api.js';
import { el, report } from './dom.js';
import repos from './repos.js';
import users from './users.js';
import perms from './perms.js';
import teams from './teams.js';
import tokens from './tokens.js';
import hooks from './hooks.js';
import spool from './spool.js';

const PAGES = [repos, users, perms, teams, tokens, hooks, spool];
const $ = (id) => document.getElementById(id);

function visible() {
  const s = session();
  return PAGES.filter((p) => !p.admin || (s && s.admin));
}

function nav() {
  $('nav').replaceChildren(...visible().map((p) =>
    el('a', { href: '#' + p.id, id: 'nav-' + p.id }, p.title)));
}

function loggedOut() {
  setSession(null);
  $('login').hidden = false;
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('main').replaceChildren();
}

// Render the page the address names (the first one by default).
async function show() {
  const s = session();
  if (!s) return loggedOut();
  $('login').hidden = true;
  $('nav').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = s.user + (s.admin ? ' (administrator)' : '');
  nav();
  const [id, ...rest] = location.hash.slice(1).split('/');
  const page = visible().find((p) => p.id === id) || visible()[0];
  const main = el('div', { id: 'page-' + page.id });
  for (const a of $('nav').children) a.classList.toggle('here', a.id === 'nav-' + page.id);
  try {
    await page.render(main, decodeURIComponent(rest.join('/')));
    $('main').replaceChildren(el('h2', {}, page.title), main);
  } catch (e) {
    if (e.status === 401) {
      loggedOut();
      report('session ended: log in again');
    } else {
      $('main').replaceChildren(el('h2', {}, page.title));
      report(e.message);
    }
  }
}

async function login(ev) {
  ev.preventDefault();
  const f = ev.target;
  try {
    const s = await call('POST', '/ui/session', {
      username: f.elements.username.value, password: f.elements.password.value,
    });
    setSession(s);
    f.reset();
    report('');
    show();
  } catch (e) {
    report(e.message);
  }
}

async function logout() {
  try {
    await call('DELETE', '/ui/session');
  } catch (e) {
    // the session may have ended already; it is forgotten either way
  }
  loggedOut();
  report('logged out', false);
}

$('login').addEventListener('submit', login);
$('logout').addEventListener('click', logout);
window.addEventListener('hashchange', () => {
  report('');
  show();
});
document.addEventListener('dindex:changed', show);
show();
