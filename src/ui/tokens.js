// tokens.js: access tokens (dxt_...) of the user, or of anyone for an
// administrator. A new token's secret is shown once, right after.
import { call, path, session } from './api.js';
import { button, el, form, table, when } from './dom.js';

let fresh = null; // the token just created, shown on the next render

export default {
  id: 'tokens',
  title: 'Access tokens',
  admin: false,
  async render(main, arg) {
    const s = session();
    const user = s.admin && arg ? arg : s.user;
    const base = path('/users', user, 'tokens');
    const list = await call('GET', base);
    if (s.admin) {
      const names = await call('GET', '/users');
      const pick = el('select', { name: 'user' }, names.map((n) =>
        el('option', { value: n, selected: n === user }, n)));
      pick.addEventListener('change', () => { location.hash = '#tokens/' + pick.value; });
      main.append(el('label', {}, 'tokens of ', pick));
    }
    if (fresh) {
      main.append(el('p', { class: 'secret' }, 'New token ', fresh.name,
        ' (copy it now, it is not shown again): ', el('code', { id: 'new-token' }, fresh.token)));
      fresh = null;
    }
    main.append(
      table(['Name', 'Scopes', 'Created', 'Expires', 'Last used', ''], list.map((t) => [
        t.name, Object.entries(t.scopes || {}).map(([k, v]) => k + ':' + v).join(' '),
        when(t.created), t.expires ? when(t.expires) : 'never', when(t.used),
        button('delete', () => call('DELETE', path(base, t.name)), 'deleted',
          'Delete token ' + t.name + '?')]), 'no tokens'),
      form([['name', 'name'], ['scopes', 'scopes (SCOPE:RIGHT, blank-separated)'],
        ['expires_days', 'expires in days (optional)', 'number']], 'create token',
      async (v) => {
        const body = { name: v.name, scopes: v.scopes.split(/[\s,]+/).filter(Boolean) };
        if (v.expires_days) body.expires_days = Number(v.expires_days);
        fresh = await call('POST', base, body);
      }));
  },
};
