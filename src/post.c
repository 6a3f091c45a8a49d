/*
 * post: deliver webhooks. The body is signed with HMAC-SHA256 when the
 * webhook has a secret: X-Dindex-Signature: sha256=<hex of the body> for
 * existing receivers, and X-Dindex-Signature-256: t=<unix>,id=<delivery
 * id>,v1=<hex of "t.id.body">, which binds time and id so a captured
 * delivery cannot be replayed as a new one.
 *
 * The address policy is applied where libcurl opens the socket, to the
 * address it is about to connect, after DNS: a name that resolves (or
 * re-resolves, rebinding) to a refused address is refused too.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"
#include "net.h"
#include "post.h"

void
post_sign(const char *secret, const char *data, size_t len, char hex[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)data, len, mac, &n);
	for (i = 0; i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	hex[64] = '\0';
}

static size_t
keep(char *b, size_t size, size_t n, void *arg)
{
	struct post *p = arg;
	size_t take = size * n;

	if (take > sizeof(p->response) - p->response_len)
		take = sizeof(p->response) - p->response_len;
	memcpy(p->response + p->response_len, b, take);
	p->response_len += take;
	return size * n;	/* read on; only the start is kept */
}

static curl_socket_t
open_sock(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct post *p = arg;
	const void *in = &((struct sockaddr_in *)(void *)&a->addr)->sin_addr;
	char host[INET6_ADDRSTRLEN] = "?";

	(void)purpose;
	if (net_addr_allowed(&a->addr, p->allow)) {
		p->opened++;
		return socket(a->family, a->socktype | SOCK_CLOEXEC,
		    a->protocol);
	}
	if (a->family == AF_INET6)
		in = &((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr;
	inet_ntop(a->family, in, host, sizeof(host));
	snprintf(p->error, sizeof(p->error),
	    "refused by webhook_allow_networks: %s", host);
	p->refusals++;
	return CURL_SOCKET_BAD;
}

static struct curl_slist *
headers(const char *id, const char *event, const char *secret,
    const char *body)
{
	struct curl_slist *h = NULL;
	char line[256], sig[65], *data;
	long long t = (long long)time(NULL);
	size_t len = strlen(body);
	int n;

	h = curl_slist_append(h, "Content-Type: application/json");
	snprintf(line, sizeof(line), "X-Docker-Index-Delivery: %s", id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Docker-Index-Event: %s", event);
	h = curl_slist_append(h, line);
	if (secret[0] == '\0')
		return curl_slist_append(h, "Expect:");
	post_sign(secret, body, len, sig);
	snprintf(line, sizeof(line), "X-Dindex-Signature: sha256=%s", sig);
	h = curl_slist_append(h, line);
	n = snprintf(NULL, 0, "%lld.%s.", t, id);
	if ((data = malloc((size_t)n + len + 1)) == NULL) {
		curl_slist_free_all(h);
		return NULL;
	}
	snprintf(data, (size_t)n + 1, "%lld.%s.", t, id);
	memcpy(data + n, body, len);
	post_sign(secret, data, (size_t)n + len, sig);
	free(data);
	snprintf(line, sizeof(line), "X-Dindex-Signature-256: t=%lld,id=%s,"
	    "v1=%s", t, id, sig);
	h = curl_slist_append(h, line);
	return curl_slist_append(h, "Expect:");
}

int
post_start(CURLM *m, struct post *p, const char *url, const char *id,
    const char *event, char *body, const char *secret,
    const struct config *cfg)
{
	CURL *c;

	memset(p, 0, sizeof(*p));
	p->body = body;
	p->allow = cfg->webhook_allow_networks;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	if (body == NULL || (p->h = headers(id, event, secret, body)) ==
	    NULL || (p->c = c = curl_easy_init()) == NULL)
		goto fail;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");	/* no proxy from the env */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->webhook_timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, p->h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dindex/" DINDEX_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_sock);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, p);
	curl_easy_setopt(c, CURLOPT_PRIVATE, p);
	if (curl_multi_add_handle(m, c) == CURLM_OK)
		return 0;
fail:
	log_msg(LOG_ERR, "delivery %s: cannot start: out of memory", id);
	curl_easy_cleanup(p->c);
	curl_slist_free_all(p->h);
	free(body);
	return -1;
}

static void
done(CURLM *m, struct post *p, CURLcode rc)
{
	struct timespec t1;

	curl_easy_getinfo(p->c, CURLINFO_RESPONSE_CODE, &p->status);
	p->refused = rc != CURLE_OK && p->opened == 0 && p->refusals > 0;
	if (rc == CURLE_OK)
		p->error[0] = '\0';
	else if (!p->refused)
		snprintf(p->error, sizeof(p->error), "%s",
		    curl_easy_strerror(rc));
	curl_multi_remove_handle(m, p->c);
	curl_easy_cleanup(p->c);
	curl_slist_free_all(p->h);
	free(p->body);
	p->c = NULL;
	p->h = NULL;
	p->body = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	p->duration_ms = (t1.tv_sec - p->t0.tv_sec) * 1000 +
	    (t1.tv_nsec - p->t0.tv_nsec) / 1000000;
}

struct post *
post_next(CURLM *m)
{
	CURLMsg *msg;
	char *priv;
	int running, left;

	for (;;) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			return NULL;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    &priv);
			done(m, (struct post *)(void *)priv, msg->data.result);
			return (struct post *)(void *)priv;
		}
		if (running == 0 ||
		    curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
			return NULL;
	}
}
