/*
 * ctl_user: dindexctl init and the user commands. The rules (the last
 * administrator stays, tokens die with an account, its enabled state or
 * its password, names are checked) are admin.c's, the same as the
 * management API's.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "account.h"
#include "admin.h"
#include "auth.h"
#include "ctl.h"
#include "lim.h"
#include "names.h"
#include "spool.h"
#include "store.h"

static int
has_any_user(const char *key, json_t *val, void *arg)
{
	(void)val;
	(void)arg;
	return strcmp(key, "user:*") != 0;
}

int
ctl_init(const struct ctl *ctl, int argc, char **argv)
{
	struct store *st;
	json_t *admin = NULL;
	char pw[2 * 12 + 1], key[LIM_KEY];
	int rc = CTL_REFUSED, fresh;

	(void)argv;
	if (argc != 1)
		return ctl_usage();
	if (spool_init(ctl->cfg->spool) == -1 ||
	    store_open(ctl->cfg->database, STORE_CREATE, &st) == -1)
		return ctl_refuse("cannot initialise %s", ctl->cfg->database);
	fresh = store_each(st, "user:", has_any_user, NULL) == 0;
	if (fresh) {
		account_key("admin", key);
		if (auth_random_hex(pw, 12) == -1 ||
		    (admin = account_new(ctl->cfg, "admin", pw, "", 1, 1)) == NULL ||
		    store_put(st, key, admin) == -1)
			goto out;
	}
	if (store_close(st) == -1) {
		st = NULL;
		goto out;
	}
	st = NULL;
	if (fresh)
		printf("\n"
		    "  dindex initialised: %s\n"
		    "  administrator:      admin\n"
		    "  password:           %s\n"
		    "  (shown once; change it with 'dindexctl user passwd "
		    "admin')\n\n", ctl->cfg->database, pw);
	else
		printf("dindex: %s already holds users; nothing changed\n",
		    ctl->cfg->database);
	rc = 0;
out:
	if (st != NULL)
		store_close(st);
	json_decref(admin);
	auth_wipe(pw, sizeof(pw));
	return rc == 0 ? 0 : ctl_refuse("cannot initialise %s",
	    ctl->cfg->database);
}

/* Report an admin result; on success print record u as asked. */
static int
done(const struct ctl *ctl, const char *name, int rc, json_t *u, int show)
{
	char when[32];

	if (rc != ADMIN_OK)
		return ctl_refuse("%s: %s", name, admin_reason(rc));
	if (ctl->json && u != NULL)
		ctl_print_json(u);
	else if (show) {
		printf("name:     %s\nemail:    %s\nenabled:  %s\n"
		    "admin:    %s\ncreated:  %s\n\n",
		    ctl_str(u, "name"), ctl_str(u, "email"),
		    json_is_true(json_object_get(u, "enabled")) ? "yes" : "no",
		    json_is_true(json_object_get(u, "admin")) ? "yes" : "no",
		    ctl_time(json_object_get(u, "created"), when,
		    sizeof(when)));
		ctl_print_map(json_object_get(u, "perms"), "SCOPE", "ACCESS");
	}
	json_decref(u);
	return CTL_OK;
}

static int
user_add(const struct ctl *ctl, int argc, char **argv)
{
	json_t *u;
	const char *email = "";
	char pw[LIM_PASSWORD + 2];
	int i, admin = 0, from_stdin = 0, rc;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
			email = argv[++i];
		else if (strcmp(argv[i], "--admin") == 0)
			admin = 1;
		else if (strcmp(argv[i], "--password-stdin") == 0)
			from_stdin = 1;
		else
			return ctl_usage();
	}
	/* refuse a bad name before asking for a password */
	if (!name_user_ok(argv[1]))
		return done(ctl, argv[1], ADMIN_BADNAME, NULL, 0);
	if (ctl_read_password(from_stdin, pw, sizeof(pw)) == -1)
		return ctl_refuse("cannot read a password");
	rc = admin_add(ctl->cfg, argv[1], pw, email, admin, 1, &u);
	auth_wipe(pw, sizeof(pw));
	return done(ctl, argv[1], rc, u, 0);
}

static int
user_passwd(const struct ctl *ctl, const char *name, int from_stdin)
{
	char pw[LIM_PASSWORD + 2], mcf[AUTH_MCF_LEN];
	json_t *u = NULL;
	size_t n;
	int rc = ADMIN_ERROR;

	if (!name_user_ok(name))
		return done(ctl, name, ADMIN_BADNAME, NULL, 0);
	if (ctl_read_password(from_stdin, pw, sizeof(pw)) == -1)
		return ctl_refuse("cannot read a password");
	n = strlen(pw);
	/* hash before admin_user takes the lock: scrypt is slow on purpose */
	if (n < LIM_PASSWORD_MIN || n > LIM_PASSWORD)
		rc = ADMIN_BADPASS;
	else if (account_hash(ctl->cfg, pw, mcf) == 0)
		rc = admin_user(ctl->cfg, ADMIN_PASSWD, name, mcf, NULL, &u);
	auth_wipe(pw, sizeof(pw));
	auth_wipe(mcf, sizeof(mcf));
	return done(ctl, name, rc, u, 0);
}

static int
user_list(const struct ctl *ctl)
{
	json_t *all, *names, *k, *u;
	size_t i;

	if (admin_list(ctl->cfg, &all) != ADMIN_OK)
		return ctl_refuse("cannot read %s", ctl->cfg->database);
	if (ctl->json)
		ctl_print_json(all);
	else if ((names = admin_keys(all)) != NULL) {
		printf("%-30s %-8s %-6s %s\n", "NAME", "ENABLED", "ADMIN",
		    "EMAIL");
		json_array_foreach(names, i, k) {
			u = json_object_get(all, json_string_value(k));
			printf("%-30s %-8s %-6s %s\n", json_string_value(k),
			    json_is_true(json_object_get(u, "enabled")) ?
			    "yes" : "no",
			    json_is_true(json_object_get(u, "admin")) ?
			    "yes" : "no",
			    ctl_str(u, "email"));
		}
		json_decref(names);
	}
	json_decref(all);
	return CTL_OK;
}

int
ctl_user(const struct ctl *ctl, int argc, char **argv)
{
	static const struct {
		const char	*word;
		const char	*arg;	/* word after NAME, or NULL */
		enum admin_op	 op;
	} ops[] = {
		{ "enable", NULL, ADMIN_ENABLE },
		{ "disable", NULL, ADMIN_DISABLE },
		{ "del", NULL, ADMIN_DELETE },
		{ "admin", "on", ADMIN_PROMOTE },
		{ "admin", "off", ADMIN_DEMOTE },
	};
	json_t *u = NULL;
	size_t i;
	int rc;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return user_list(ctl);
	if (argc < 3)
		return ctl_usage();
	if (strcmp(argv[1], "add") == 0)
		return user_add(ctl, argc - 1, argv + 1);
	if (strcmp(argv[1], "passwd") == 0 && (argc == 3 || (argc == 4 &&
	    strcmp(argv[3], "--password-stdin") == 0)))
		return user_passwd(ctl, argv[2], argc == 4);
	if (strcmp(argv[1], "show") == 0 && argc == 3) {
		rc = admin_get(ctl->cfg, argv[2], 0, &u);
		return done(ctl, argv[2], rc, u, 1);
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(argv[1], ops[i].word) != 0 ||
		    argc != (ops[i].arg ? 4 : 3) ||
		    (ops[i].arg && strcmp(argv[3], ops[i].arg) != 0))
			continue;
		rc = admin_user(ctl->cfg, ops[i].op, argv[2], NULL, NULL, &u);
		return done(ctl, argv[2], rc, u, 0);
	}
	return ctl_usage();
}
