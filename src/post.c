/*
 * post: deliver one webhook. The body is signed with HMAC-SHA256 when the
 * webhook has a secret (X-Dindex-Signature: sha256=<hex>), so a receiver
 * can check it came from us.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "post.h"

void
post_sign(const char *secret, const char *body, char hex[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)body, strlen(body), mac, &len);
	for (i = 0; i < len && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	hex[64] = '\0';
}

static size_t
keep(char *p, size_t size, size_t n, void *arg)
{
	struct post_result *r = arg;
	size_t have = strlen(r->response), take = size * n;

	if (take > POST_RESPONSE - have)
		take = POST_RESPONSE - have;
	memcpy(r->response + have, p, take);
	r->response[have + take] = '\0';
	return size * n;	/* read on; only the start is kept */
}

static struct curl_slist *
headers(const char *id, const char *event, const char *secret,
    const char *body)
{
	struct curl_slist *h = NULL;
	char line[256], sig[65];

	h = curl_slist_append(h, "Content-Type: application/json");
	snprintf(line, sizeof(line), "X-Docker-Index-Delivery: %s", id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Docker-Index-Event: %s", event);
	h = curl_slist_append(h, line);
	if (secret[0] != '\0') {
		post_sign(secret, body, sig);
		snprintf(line, sizeof(line), "X-Dindex-Signature: sha256=%s",
		    sig);
		h = curl_slist_append(h, line);
	}
	return curl_slist_append(h, "Expect:");
}

void
post_delivery(const char *url, const char *body, const char *id,
    const char *event, const char *secret, long timeout,
    struct post_result *r)
{
	struct curl_slist *h = headers(id, event, secret, body);
	struct timespec t0, t1;
	CURLcode rc;
	CURL *c;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(r->error, sizeof(r->error), "curl_easy_init failed");
		curl_slist_free_all(h);
		return;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dindex/" DINDEX_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		snprintf(r->error, sizeof(r->error), "%s",
		    curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->duration_ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
}
