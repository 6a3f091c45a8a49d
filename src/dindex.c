/*
 * dindex: the per-connection handler. Serves requests on the one connection
 * until the peer closes, asks to close, idles or reaches LIM_REQUESTS.
 */
#include <sys/random.h>

#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "conn.h"
#include "http.h"
#include "lim.h"
#include "log.h"
#include "route.h"
#include "sandbox.h"

static struct config	cfg;
static struct http_conn	conn;
static struct http_req	req;
static char		peer[64];
static int		via_proxy;	/* peer is in trusted_proxies */

/* dirname(path) into out; "" (an unset key) stays "". dirname() may
 * modify its argument or return a static string, hence the copies. */
static void
dir_of(const char *path, char *out, size_t len)
{
	char tmp[LIM_PATH];

	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(out, len, "%s", path[0] ? dirname(tmp) : "");
}

/* make check-asan: LeakSanitizer reads /proc/<pid> when dindex exits */
#ifdef DINDEX_SANITIZED
#define SANITIZER_PROC	"/proc"
#else
#define SANITIZER_PROC	""
#endif

/* Before the first request byte. Read-write: the database's directory and
 * the spool; read: the directories of the token key and certificate (a key
 * replaced by rename stays readable to a long connection), libcrypto, which
 * jwt.c opens when it first signs, /dev/urandom for libscrypt's salts, and
 * with admin_api the console's ui_dir. */
static int
confine(void)
{
	char dbdir[LIM_PATH], keydir[LIM_PATH], certdir[LIM_PATH];
	const char *rd[] = { keydir, certdir, LIBCRYPTO, "/dev/urandom",
	    cfg.admin_api ? cfg.ui_dir : "", SANITIZER_PROC, NULL };
	const char *wr[] = { dbdir, cfg.spool, NULL };

	dir_of(cfg.database, dbdir, sizeof(dbdir));
	dir_of(cfg.token_key, keydir, sizeof(keydir));
	dir_of(cfg.token_cert, certdir, sizeof(certdir));
	return sandbox_apply(rd, wr) == -1 ? -1 : 0;
}

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The client a trusted proxy forwards for: its one X-Forwarded-For
 * header's last hop; NULL when not behind one (then the peer is it). */
static const char *
forwarded_for(const struct http_req *r, char *out, size_t outlen)
{
	const struct http_hdr *h = NULL;
	size_t i;

	if (!via_proxy || r == NULL)
		return NULL;
	for (i = 0; i < r->nhdr; i++) {
		if (r->hdr[i].name_len != 15 ||
		    strncasecmp(r->hdr[i].name, "X-Forwarded-For", 15) != 0)
			continue;
		if (h != NULL)
			return NULL;	/* two: whose word would the last be? */
		h = &r->hdr[i];
	}
	return h != NULL && conn_forwarded(h->val, h->val_len, out,
	    outlen) == 0 ? out : NULL;
}

/* One line per request: the query is never logged (it may carry
 * secrets), a refused login names the account tried. */
static void
log_done(const struct ctx *ctx, const struct http_req *r, int status,
    long long t0)
{
	char client[64], path[512], user[4 * LIM_USER + 1] = "-";
	char msg[2048], st[8], us[24];
	const char *fwd = forwarded_for(r, client, sizeof(client));
	const char *method = r ? http_method_names[r->method] : "-";
	const char *name = ctx->user[0] ? ctx->user : ctx->login;
	const char *q = r ? memchr(r->target, '?', r->target_len) : NULL;

	log_sanitise(r ? r->target : "-", !r ? 1 : q ? (size_t)(q - r->target)
	    : r->target_len, path, sizeof(path));
	if (name[0])
		log_sanitise(name, strlen(name), user, sizeof(user));
	snprintf(st, sizeof(st), "%d", status);
	snprintf(us, sizeof(us), "%lld", now_us() - t0);
	snprintf(msg, sizeof(msg), "%s%s%s \"%s %s\" %s user=%s repo=%s %sus",
	    fwd ? fwd : peer, fwd ? " via " : "", fwd ? peer : "", method,
	    path, st, user, ctx->repo[0] ? ctx->repo : "-", us);
	log_event(status >= 500 ? LOG_ERR : status >= 400 ? LOG_NOTICE :
	    LOG_INFO, msg, "METHOD", method, "PATH", path, "STATUS", st,
	    "USER", user, "REPO", ctx->repo, "DURATION_US", us,
	    "PEER", fwd ? fwd : peer, "PROXY", fwd ? peer : "", NULL);
}

/* Serve one request; returns 1 to go on, 0 to close. */
static int
serve_one(void)
{
	struct http_resp resp;
	struct ctx ctx = { .cfg = &cfg, .req = &req, .resp = &resp };
	const struct http_req *r = &req;
	long long t0;
	int rc, more;

	if ((rc = http_read_request(&conn, &req)) == 1)
		return 0;
	t0 = now_us();
	http_resp_init(&resp);
	if (rc != 0) {
		http_resp_error(&resp, rc, http_reason(rc));
		resp.close = 1;
		r = NULL;
	} else
		route_dispatch(&ctx);
	if (conn.nreq >= LIM_REQUESTS)
		resp.close = 1;
	more = http_write(&conn, r, &resp) == 0 && !resp.close &&
	    req.keep_alive;
	if (r == NULL)
		http_linger(&conn);
	log_done(&ctx, r, resp.status, t0);
	http_resp_free(&resp);
	http_req_free(&req);
	return more;
}

#define USAGE	"usage: dindex [-c config] [--help] [--version]\n" \
	"  serves one connection on stdin/stdout or LISTEN_FDS (dindex(8))\n"

int
main(int argc, char *argv[])
{
	const char *path = NULL;
	uint32_t seed;
	int rc;

	log_open("dindex");
	/* else Jansson opens and reads /dev/urandom for its hash seed */
	if (getrandom(&seed, sizeof(seed), 0) == sizeof(seed))
		json_object_seed(seed | 1);
	if ((rc = config_options(argc, argv, "dindex", USAGE, &path)) != 0)
		return rc == 1 ? 0 : EX_USAGE;
	if (config_load(path, &cfg) == -1 || confine() == -1 ||
	    conn_acquire(&conn.in, &conn.out, peer, sizeof(peer)) == -1)
		return EX_CONFIG;
	via_proxy = conn_peer_in(conn.in, cfg.trusted_proxies);
	signal(SIGPIPE, SIG_IGN);
	/* a file size limit makes writes fail (EFBIG, a 503), not kill us */
	signal(SIGXFSZ, SIG_IGN);
	conn.max_body = cfg.max_body;
	conn.idle_timeout = cfg.idle_timeout;
	while (serve_one())
		;
	return 0;
}
