/*
 * route_v1: the v1 index API that docker 1.x clients and docker-registry
 * 0.7-0.9 speak (PROTOCOL.md).
 */
#include <string.h>

#include "route.h"

/* GET /v1/_ping, GET /v1/: the client decides from X-Docker-Registry-
 * Standalone whether to send Basic auth to the registry; it must be
 * false so the registry sees tokens (PROTOCOL.md 3). */
static int
ping(struct ctx *ctx)
{
	http_resp_header(ctx->resp, "X-Docker-Registry-Version", "0.6.0");
	http_resp_header(ctx->resp, "X-Docker-Registry-Standalone", "false");
	return route_json(ctx, 200, json_true());
}

const struct route route_v1_table[] = {
	{ R_GET, "/v1/_ping", R_ANY, ping },
	{ R_GET, "/v1", R_ANY, ping },
	{ 0, NULL, R_ANY, NULL }
};
