// users.js (administrators): the accounts; create, enable or disable,
// the admin flag, reset a password, delete.
import { call, path } from './api.js';
import { button, el, form, table, when, yes } from './dom.js';

function actions(u) {
  const p = path('/users', u.name);
  return el('div', { class: 'actions' },
    button(u.enabled ? 'disable' : 'enable',
      () => call('PUT', p + (u.enabled ? '/disable' : '/enable'))),
    button(u.admin ? 'drop admin' : 'make admin',
      () => call(u.admin ? 'DELETE' : 'PUT', p + '/admin')),
    button('delete', () => call('DELETE', p), 'deleted', 'Delete user ' + u.name + '?'),
    form([['password', 'new password', 'password']], 'reset password',
      (v) => call('PUT', path('/v1/users', u.name) + '/', { password: v.password })));
}

export default {
  id: 'users',
  title: 'Users',
  admin: true,
  async render(main) {
    const names = await call('GET', '/users');
    const list = await Promise.all(names.map((n) => call('GET', path('/users', n))));
    main.append(
      table(['User', 'E-mail', 'Enabled', 'Admin', 'Created', ''], list.map((u) => [
        u.name, u.email || '', yes(u.enabled), yes(u.admin),
        when(u.created), actions(u)])),
      el('h3', {}, 'New user'),
      form([['username', 'user name'], ['password', 'password', 'password'],
        ['email', 'e-mail (optional)', 'email'], ['admin', 'administrator', 'checkbox']],
      'create user', (v) => call('POST', '/users', v)));
  },
};
