/*
 * ctl_user: dindexctl init, user passwd and user list, the user commands
 * that the management API does not serve (the others go through it,
 * ctl.c). The rules are admin.c's.
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
		if (bytes_random_hex(pw, 12) == -1 ||
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
	bytes_wipe(pw, sizeof(pw));
	return rc == 0 ? 0 : ctl_refuse("cannot initialise %s",
	    ctl->cfg->database);
}

/* user passwd NAME [--password-stdin]: no route changes another user's
 * password, and the hash is made before admin_user takes the lock
 * (scrypt is slow on purpose). */
int
ctl_user_passwd(const struct ctl *ctl, int argc, char **argv)
{
	char pw[LIM_PASSWORD + 2], mcf[AUTH_MCF_LEN];
	const char *name = argv[2];
	json_t *u = NULL;
	size_t n;
	int rc = RES_ERROR;

	if (argc != 3 && (argc != 4 || strcmp(argv[3], "--password-stdin")))
		return ctl_usage();
	if (!name_user_ok(name))
		return ctl_refuse("%s: %s", name, result_msg(RES_BADNAME));
	if (ctl_read_password(argc == 4, pw, sizeof(pw)) == -1)
		return ctl_refuse("cannot read a password");
	n = strlen(pw);
	if (n < LIM_PASSWORD_MIN || n > LIM_PASSWORD)
		rc = RES_BADPASS;
	else if (account_hash(ctl->cfg, pw, mcf) == 0)
		rc = admin_user(ctl->cfg, ADMIN_PASSWD, name, mcf, NULL, &u);
	bytes_wipe(pw, sizeof(pw));
	bytes_wipe(mcf, sizeof(mcf));
	json_decref(u);
	return rc == RES_OK ? CTL_OK : ctl_refuse("%s: %s", name,
	    result_msg(rc));
}

/* user list: the records, not only the names GET /users answers. */
int
ctl_user_list(const struct ctl *ctl, int argc, char **argv)
{
	json_t *all, *names, *k, *u;
	size_t i;

	(void)argv;
	if (argc != 2)
		return ctl_usage();
	if (admin_list(ctl->cfg, &all) != RES_OK)
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
