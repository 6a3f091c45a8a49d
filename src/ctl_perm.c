/*
 * ctl_perm: dindexctl perm set|rm|list, on the rules of the management
 * API's permission routes (admin.c). NAME may be "*", the public
 * pseudo-user, whose record the first grant creates.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "ctl.h"

void
ctl_print_map(const json_t *obj, const char *h1, const char *h2)
{
	json_t *keys, *k;
	const char *v;
	size_t i;

	if ((keys = admin_keys((json_t *)obj)) == NULL)
		return;
	printf("%-40s %s\n", h1, h2);
	json_array_foreach(keys, i, k) {
		v = json_string_value(json_object_get(obj,
		    json_string_value(k)));
		printf("%-40s %s\n", json_string_value(k), v ? v : "?");
	}
	json_decref(keys);
}

int
ctl_perm(const struct ctl *ctl, int argc, char **argv)
{
	json_t *u = NULL, *perms;
	int rc;

	if (argc == 5 && strcmp(argv[1], "set") == 0)
		rc = admin_user(ctl->cfg, ADMIN_GRANT, argv[2], argv[3],
		    argv[4], &u);
	else if (argc == 4 && strcmp(argv[1], "rm") == 0)
		rc = admin_user(ctl->cfg, ADMIN_REVOKE, argv[2], argv[3],
		    NULL, &u);
	else if (argc == 3 && strcmp(argv[1], "list") == 0)
		rc = admin_get(ctl->cfg, argv[2], 1, &u);
	else
		return ctl_usage();
	if (rc != ADMIN_OK)
		return ctl_refuse("%s: %s", argv[2], admin_reason(rc));
	perms = json_object_get(u, "perms");
	if (ctl->json)
		ctl_print_json(perms);
	else if (strcmp(argv[1], "list") == 0)
		ctl_print_map(perms, "SCOPE", "ACCESS");
	json_decref(u);
	return CTL_OK;
}
