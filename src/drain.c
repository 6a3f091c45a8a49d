/*
 * drain: one pass of dindex-deliver over the spool. A delivery is claimed
 * by rename when its transfer starts (two deliverers never send one file
 * at once), then removed (2xx), deferred, or parked in failed/. At most
 * LIM_DELIVER_HOST transfers go to one host[:port], so a receiver that
 * never answers leaves slots to the others; the store is never locked
 * during network I/O. The address policy is applied where libcurl opens
 * the socket, after DNS: a name that resolves (or rebinds) to a refused
 * address is refused too.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bytes.h"
#include "drain.h"
#include "hook.h"
#include "lim.h"
#include "log.h"
#include "net.h"
#include "record.h"
#include "spool.h"
#include "store.h"

struct job {
	json_t			*d;	/* the delivery; NULL: the slot is free */
	struct log_delivery	 ld;	/* d's fields, then the results */
	const char		*hook;	/* webhook_id */
	char			 name[SPOOL_NAME];
	char			 host[LIM_URL + 1];	/* of the url */
	const char		*allow;	/* webhook_allow_networks */
	CURL			*c;
	struct curl_slist	*h;
	char			*body;
	struct timespec		 t0;
	int			 opened, refusals;	/* sockets */
	int			 refused;	/* every address was refused */
	char			 error[256];	/* "" when none */
	char			 response[LIM_HIST_RESPONSE];	/* the start */
	size_t			 response_len;
};

/* This pass's attempts, added to the record stats:deliver at its end. */
struct pass {
	json_int_t	 attempts, failed, last;
	char		 result[64];	/* of the last attempt */
};

static int
add_pass(struct store *st, json_t **rec, void *arg)
{
	const struct pass *p = arg;
	json_int_t n = json_integer_value(json_object_get(*rec, "attempts"));
	json_int_t f = json_integer_value(json_object_get(*rec, "failed"));

	(void)st;
	json_decref(*rec);
	*rec = json_pack("{s:I, s:I, s:I, s:s}", "attempts", n + p->attempts,
	    "failed", f + p->failed, "last_at", p->last, "result", p->result);
	return *rec != NULL ? 0 : -1;
}

/* The kept response as text when it is UTF-8, else as base64. */
static void
record(const struct config *cfg, const struct job *j)
{
	char b64[4 * (LIM_HIST_RESPONSE + 2) / 3 + 1];
	json_t *a, *text;
	struct store *st;

	a = json_pack("{s:I, s:s, s:s, s:i, s:s, s:i}", "time",
	    (json_int_t)time(NULL), "delivery", j->ld.id, "event", j->ld.event,
	    "status", (int)j->ld.status, "error", j->error, "duration_ms",
	    (int)j->ld.duration_ms);
	if ((text = json_stringn(j->response, j->response_len)) != NULL)
		json_object_set_new(a, "response", text);
	else if (bytes_b64_encode((const unsigned char *)j->response,
	    j->response_len, b64, sizeof(b64)) > 0)
		json_object_set_new(a, "response_base64", json_string(b64));
	if (a != NULL && store_open(cfg->database, STORE_WRITE, &st) == 0) {
		hook_record(st, j->ld.repo, j->hook, a, cfg->webhook_history);
		store_close(st);
	}
	json_decref(a);
}

/* Defer, or park in failed/ after webhook_attempts or when the address
 * policy refused it (a retry would be refused again). */
static int
retry_later(const struct config *cfg, struct job *j)
{
	long attempts = (long)json_integer_value(json_object_get(j->d,
	    "attempts")) + 1, wait = LIM_BACKOFF_FIRST, i;

	for (i = 1; i < attempts && wait < LIM_BACKOFF_MAX; i++)
		wait *= 2;
	if (wait > LIM_BACKOFF_MAX)
		wait = LIM_BACKOFF_MAX;
	json_object_update_new(j->d, json_pack("{s:I, s:o, s:I}", "attempts",
	    (json_int_t)attempts, "last_error", j->error[0] ? json_string(
	    j->error) : json_sprintf("HTTP %ld", j->ld.status),
	    "next_attempt", (json_int_t)(time(NULL) + wait)));
	return spool_move(cfg->spool, j->name, j->refused ||
	    attempts >= cfg->webhook_attempts ? "failed" : "deferred", j->d);
}

/* Fill j's fields from j->d, or park a file that is not a whole delivery
 * in failed/ as it reads: 1 parked, 0 usable, -1 error. */
static int
unusable(const struct config *cfg, struct job *j)
{
	json_t *payload, *raw = json_object_get(j->d, "raw");

	if (raw == NULL && json_unpack(j->d, "{s:s, s:s, s:s, s:s, s:s, s:o}",
	    "id", &j->ld.id, "url", &j->ld.url, "webhook_id", &j->hook,
	    "repository", &j->ld.repo, "event", &j->ld.event, "payload",
	    &payload) == 0 && json_is_object(payload))
		return 0;
	if (raw == NULL)
		json_object_set_new(j->d, "last_error", json_string("not a "
		    "delivery: a field is missing or not a string"));
	log_msg(LOG_WARNING, "spool file %s: %s; moved to failed/", j->name,
	    record_str(j->d, "last_error"));
	return spool_move(cfg->spool, j->name, "failed", j->d) == 0 ? 1 : -1;
}

static int
sign(const char *secret, const char *data, size_t len, char hex[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)data, len, mac, &n) == NULL || n != 32)
		return -1;
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return 0;
}

/* A failed append frees the list: NULL says any step failed. */
static void
add(struct curl_slist **h, const char *line)
{
	struct curl_slist *n = *h != NULL ? curl_slist_append(*h, line) : NULL;

	if (n == NULL)
		curl_slist_free_all(*h);
	*h = n;
}

static struct curl_slist *
headers(const char *id, const char *event, const char *secret,
    const char *body)
{
	struct curl_slist *h = curl_slist_append(NULL, "Expect:");
	char line[256], sig[65], *data = NULL;
	long long t = (long long)time(NULL);
	int n;

	add(&h, "Content-Type: application/json");
	snprintf(line, sizeof(line), "X-Docker-Index-Delivery: %s", id);
	add(&h, line);
	snprintf(line, sizeof(line), "X-Docker-Index-Event: %s", event);
	add(&h, line);
	if (secret[0] == '\0' || h == NULL)
		return h;
	if (sign(secret, body, strlen(body), sig) == -1)
		goto fail;
	snprintf(line, sizeof(line), "X-Dindex-Signature: sha256=%s", sig);
	add(&h, line);
	/* t and id signed too: a captured delivery is no new one; body is
	 * JSON text, no NUL inside */
	if ((n = asprintf(&data, "%lld.%s.%s", t, id, body)) == -1) {
		data = NULL;
		goto fail;
	}
	if (sign(secret, data, (size_t)n, sig) == -1)
		goto fail;
	free(data);
	snprintf(line, sizeof(line), "X-Dindex-Signature-256: t=%lld,id=%s,"
	    "v1=%s", t, id, sig);
	add(&h, line);
	return h;
fail:
	free(data);
	curl_slist_free_all(h);
	return NULL;
}

static size_t
keep(char *b, size_t size, size_t n, void *arg)
{
	struct job *j = arg;
	size_t take = size * n;

	if (take > sizeof(j->response) - j->response_len)
		take = sizeof(j->response) - j->response_len;
	memcpy(j->response + j->response_len, b, take);
	j->response_len += take;
	return size * n;	/* read on; only the start is kept */
}

static curl_socket_t
open_sock(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct job *j = arg;
	const void *in = &((struct sockaddr_in *)(void *)&a->addr)->sin_addr;
	char host[INET6_ADDRSTRLEN] = "?";

	(void)purpose;
	if (net_addr_allowed(&a->addr, j->allow)) {
		j->opened++;
		return socket(a->family, a->socktype | SOCK_CLOEXEC,
		    a->protocol);
	}
	if (a->family == AF_INET6)
		in = &((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr;
	inet_ntop(a->family, in, host, sizeof(host));
	snprintf(j->error, sizeof(j->error),
	    "refused by webhook_allow_networks: %s", host);
	j->refusals++;
	return CURL_SOCKET_BAD;
}

/* Start j's POST on m; secret "" means unsigned. 0, or -1 (logged). */
static int
post(const struct config *cfg, CURLM *m, struct job *j, const char *secret)
{
	CURL *c;

	j->allow = cfg->webhook_allow_networks;
	clock_gettime(CLOCK_MONOTONIC, &j->t0);
	if ((j->body = json_dumps(json_object_get(j->d, "payload"),
	    JSON_COMPACT | JSON_SORT_KEYS)) == NULL || (j->h = headers(
	    j->ld.id, j->ld.event, secret, j->body)) == NULL ||
	    (j->c = c = curl_easy_init()) == NULL)
		goto fail;
	curl_easy_setopt(c, CURLOPT_URL, j->ld.url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");	/* no proxy from the env */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->webhook_timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, j->h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dindex/" DINDEX_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_sock);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, j);
	curl_easy_setopt(c, CURLOPT_PRIVATE, j);
	if (curl_multi_add_handle(m, c) == CURLM_OK)
		return 0;
fail:
	log_msg(LOG_ERR, "delivery %s: cannot start: out of memory", j->ld.id);
	curl_easy_cleanup(j->c);
	curl_slist_free_all(j->h);
	free(j->body);
	return -1;
}

/* Claim item ([state, name, host]) and start its POST in j. 0 started or
 * nothing to send (j stays free), -1 error. On a store error the claim
 * is kept: it goes back to new/ after LIM_CLAIM_STALE. */
static int
start(const struct config *cfg, CURLM *m, struct job *j, json_t *item)
{
	const char *state, *name, *host;
	char secret[LIM_URL + 1];
	struct store *st;
	int rc;

	if (json_unpack(item, "[sss]", &state, &name, &host) == -1 ||
	    (rc = spool_claim(cfg->spool, state, name)) == -1)
		return -1;
	if (rc == 1)
		return 0;	/* someone else was first */
	memset(j, 0, sizeof(*j));
	snprintf(j->name, sizeof(j->name), "%s", name);
	snprintf(j->host, sizeof(j->host), "%s", host);
	if ((j->d = spool_read(cfg->spool, "active", name)) == NULL)
		return -1;
	if ((rc = unusable(cfg, j)) != 0)
		goto out;
	rc = RES_ERROR;
	if (store_open(cfg->database, STORE_READ, &st) == 0) {
		rc = hook_secret(st, j->ld.repo, j->hook, secret,
		    sizeof(secret));
		store_close(st);
	}
	if (rc == RES_OK) {
		rc = post(cfg, m, j, secret);
		bytes_wipe(secret, sizeof(secret));
		if (rc == 0)
			return 0;
	} else if (rc == RES_NOHOOK) {
		log_msg(LOG_NOTICE, "delivery %s: webhook %s of %s is gone; "
		    "dropped", j->ld.id, j->hook, j->ld.repo);
		rc = spool_done(cfg->spool, name);
	}
out:
	json_decref(j->d);
	j->d = NULL;
	return rc < 0 ? -1 : 0;
}

/* Run the transfers of m until one ends: its job, results filled and
 * handle freed. NULL when none runs (or libcurl failed). */
static struct job *
next(CURLM *m)
{
	struct timespec t1;
	struct job *j;
	CURLMsg *msg;
	CURLcode rc;
	char *priv;
	int running, left;

	for (;;) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			return NULL;
		while ((msg = curl_multi_info_read(m, &left)) != NULL &&
		    msg->msg != CURLMSG_DONE)
			;
		if (msg != NULL)
			break;
		if (running == 0 ||
		    curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
			return NULL;
	}
	rc = msg->data.result;
	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
	j = (struct job *)(void *)priv;
	curl_easy_getinfo(j->c, CURLINFO_RESPONSE_CODE, &j->ld.status);
	j->refused = rc != CURLE_OK && j->opened == 0 && j->refusals > 0;
	if (rc == CURLE_OK)
		j->error[0] = '\0';
	else if (!j->refused)
		snprintf(j->error, sizeof(j->error), "%s",
		    curl_easy_strerror(rc));
	curl_multi_remove_handle(m, j->c);
	curl_easy_cleanup(j->c);
	curl_slist_free_all(j->h);
	free(j->body);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	j->ld.duration_ms = (t1.tv_sec - j->t0.tv_sec) * 1000 +
	    (t1.tv_nsec - j->t0.tv_nsec) / 1000000;
	return j;
}

static int
finish(const struct config *cfg, struct job *j, struct pass *p)
{
	int ok = j->ld.status >= 200 && j->ld.status < 300, rc;

	p->attempts++;
	p->failed += !ok;
	p->last = time(NULL);
	if (j->error[0] != '\0')
		snprintf(p->result, sizeof(p->result), "%.60s", j->error);
	else
		snprintf(p->result, sizeof(p->result), "HTTP %ld",
		    j->ld.status);
	j->ld.error = j->error;
	log_delivery(&j->ld);
	record(cfg, j);
	rc = ok ? spool_done(cfg->spool, j->name) : retry_later(cfg, j);
	json_decref(j->d);
	j->d = NULL;
	return rc;
}

/* [state, name, host] of each file in new/ and each due one in deferred/;
 * *rc -1 when a state cannot be read. */
static json_t *
due(const struct config *cfg, int *rc)
{
	static const char *const states[] = { "new", "deferred" };
	json_t *waiting = json_array(), *names, *n, *d;
	char host[LIM_URL + 1];
	size_t s, i;

	for (s = 0; s < LEN(states); s++) {
		if ((names = spool_names(cfg->spool, states[s])) == NULL)
			*rc = -1;
		json_array_foreach(names, i, n) {
			d = spool_read(cfg->spool, states[s],
			    json_string_value(n));
			net_url_host(record_str(d, "url"), host, sizeof(host));
			if (d != NULL && (s == 0 || json_integer_value(
			    json_object_get(d, "next_attempt")) <= time(NULL)))
				json_array_append_new(waiting, json_pack("[sOs]",
				    states[s], n, host));
			json_decref(d);
		}
		json_decref(names);
	}
	return waiting;
}

/* Take the first of waiting whose host has a free slot, or NULL. */
static json_t *
pick(json_t *waiting, const struct job *jobs)
{
	const char *host;
	size_t i, j;
	json_t *t;
	int busy;

	json_array_foreach(waiting, i, t) {
		host = json_string_value(json_array_get(t, 2));
		for (busy = 0, j = 0; j < LIM_DELIVER_PARALLEL; j++)
			busy += jobs[j].d != NULL &&
			    strcmp(jobs[j].host, host) == 0;
		if (busy < LIM_DELIVER_HOST) {
			json_incref(t);
			json_array_remove(waiting, i);
			return t;
		}
	}
	return NULL;
}

int
drain_spool(const struct config *cfg)
{
	static struct job jobs[LIM_DELIVER_PARALLEL];
	struct pass pass = { 0 };
	int rc = spool_reclaim(cfg->spool, LIM_CLAIM_STALE);
	json_t *waiting = due(cfg, &rc), *t;
	CURLM *m = curl_multi_init();
	struct job *j;
	size_t i;

	while (m != NULL) {
		for (i = 0; i < LIM_DELIVER_PARALLEL; i++)
			while (jobs[i].d == NULL &&
			    (t = pick(waiting, jobs)) != NULL) {
				if (start(cfg, m, &jobs[i], t) == -1)
					rc = -1;
				json_decref(t);
			}
		if ((j = next(m)) == NULL)
			break;
		if (finish(cfg, j, &pass) == -1)
			rc = -1;
	}
	for (i = 0; i < LIM_DELIVER_PARALLEL; i++)
		if (jobs[i].d != NULL) {	/* libcurl failed; claim kept */
			json_decref(jobs[i].d);
			rc = -1;
		}
	if (pass.attempts > 0 && store_update(cfg->database, "stats:deliver",
	    add_pass, &pass) != 0)
		rc = -1;
	curl_multi_cleanup(m);
	json_decref(waiting);
	return m == NULL ? -1 : rc;
}
