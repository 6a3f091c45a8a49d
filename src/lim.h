/*
 * lim.h: every fixed size and time limit of dindex and the ceilings of the
 * configurable ones (config.h), stated once; relations checked below.
 */
#ifndef LIM_H
#define LIM_H

#define LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* HTTP request head */
#define LIM_REQUEST_LINE	8192	/* request line, bytes: 414 beyond */
#define LIM_HEAD		32768	/* whole header block, bytes: 431 beyond */
#define LIM_HEADERS		100	/* header lines: 431 beyond */
#define LIM_SEGMENTS		16	/* path segments: 404 beyond */
#define LIM_CHUNK_LINE		64	/* chunk-size line incl. extensions */
#define LIM_CHUNK_OVERHEAD	4	/* raw chunked bytes per body byte */
#define LIM_LINGER_BYTES	(4 * 1024 * 1024)	/* discarded after an
						 * error, so the peer reads
						 * the answer, not a reset */
#define LIM_MAX_BODY		(64 * 1024 * 1024)	/* ceiling of max_body */
#define LIM_REQUESTS		1000	/* requests served on one connection */
#define LIM_RESPONSE_HEADERS	4096	/* extra response header bytes */

/* time, in seconds */
#define LIM_REQUEST_SECONDS	30	/* whole request must arrive: 408 */
#define LIM_IDLE_MAX		25	/* ceiling of idle_timeout */
#define LIM_LOCK_SECONDS	5	/* wait for the store lock: 503 */
#define LIM_WRITE_SECONDS	30	/* a response must drain to the peer */
#define LIM_LINGER_MS		2000	/* lingering close after an error */

/* webhook deliveries */
#define LIM_BACKOFF_FIRST	30	/* seconds before the first retry */
#define LIM_BACKOFF_MAX		3600	/* longest wait between attempts */
#define LIM_CLAIM_STALE		600	/* a claim older than this was left
					 * by a killed deliverer */
#define LIM_TMP_STALE		3600	/* a spool/tmp file older than this
					 * was left by a killed writer */
#define LIM_DELIVER_PARALLEL	8	/* transfers a deliverer runs at once */
#define LIM_DELIVER_HOST	4	/* of those, to one host[:port]: a slow
					 * receiver leaves the rest to others */
#define LIM_PINGS_REPO		10	/* pings queued per repository by
					 * non-admins: 429 beyond */
#define LIM_PINGS_USER		30	/* pings queued per non-admin user */
#define LIM_PINGS_WINDOW	3600	/* pings parked in failed/ count this
					 * long after queueing, so refused
					 * ones cannot flood failed/ */
#define LIM_SPOOL_HEAD		64	/* bytes of an unparsable spool file
					 * kept, escaped, in its record */

/* names and credentials, bytes without the NUL */
#define LIM_USER		30	/* [a-z0-9_]{4,30} */
#define LIM_USER_MIN		4
#define LIM_TEAM		30	/* [a-z0-9_-]{2,30} */
#define LIM_TEAMS_USER		32	/* teams a user is in: 409 beyond; each
					 * is read at every login */
#define LIM_TEAM_OWNERS		32	/* owners of a team: 409 beyond */
#define LIM_PASSWORD		256	/* longer passwords are refused: 400/401 */
#define LIM_PASSWORD_MIN	5
#define LIM_LOGIN_FAIL_MS	400LL	/* a refused login answers no sooner:
					 * above the slowest stored hash */
#define LIM_EMAIL		254
#define LIM_NS			255	/* namespace */
#define LIM_REPO		255	/* repository component */
#define LIM_NAME		(LIM_NS + 1 + LIM_REPO)	/* "ns/repo" */
#define LIM_TAG			128
#define LIM_IMAGE_ID		64
#define LIM_CHECKSUM		256
#define LIM_TOKEN_BYTES		32	/* 256 random bits per token */
#define LIM_SIG			(2 * LIM_TOKEN_BYTES)	/* hex signature */
#define LIM_IMAGES		100000	/* ids in one repository */
#define LIM_URL			2048	/* webhook URL */
#define LIM_HOOKS		64	/* webhooks per repository */
#define LIM_SEARCH_PAGE		100	/* search n */
#define LIM_SEARCH_SHARDS	256	/* records of the search index */
#define LIM_SEARCH_HOLD		16	/* index records read per lock hold:
					 * what a waiting writer waits for */
#define LIM_JSON_DEPTH		32	/* nesting of request bodies */
#define LIM_CONF_FILE		(64 * 1024)	/* bytes of a config file */

/* registry v2 token server and notifications */
#define LIM_SCOPES		32	/* resources in one token request: 400 */
#define LIM_SCOPE_PARAM		4096	/* one scope parameter value: 400 */
#define LIM_SCOPE_TYPE		32	/* resource type word */
#define LIM_DIGEST		135	/* "sha512:" + 128 hex */
#define LIM_NOTIFY_EVENTS	100	/* events in one notification: 413 */
#define LIM_REFRESH_USER	16	/* refresh tokens a user holds; the
					 * oldest goes first */
#define LIM_REFRESH_TOUCH	3600	/* seconds between recorded uses */
#define LIM_ATOK_USER		32	/* access tokens a user holds: 409 */
#define LIM_ATOK_SCOPES		16	/* scopes of one access token: 400 */
#define LIM_ATOK_NAME		64	/* [A-Za-z0-9_.-]{1,64}: 400 beyond */
#define LIM_ATOK_DAYS		36500	/* expires_days without a maximum */
#define LIM_ATOK_TOUCH		3600	/* seconds between recorded uses */
#define LIM_CHAIN		4	/* certificates in token_cert */
#define LIM_CERT_WARN_DAYS	14	/* token_cert expiring sooner: warned */
#define LIM_CERT_DAYS		3650	/* dindexctl key --days ceiling */
#define LIM_CA_DAYS		7300	/* the CA of key init: outlives every
					 * signing certificate it makes */

/* files */
#define LIM_PATH		4096	/* filesystem path */
#define LIM_CONF_LINE		4096	/* one config line */
#define LIM_CONF_VALUE		1024	/* one config value */
#define LIM_KEY			1024	/* one store key */
#define LIM_HIST_RESPONSE	1024	/* response bytes a history entry keeps */
#define LIM_REDIS_SECONDS	10	/* dindexctl import: connecting to
					 * redis, and each reply */

/* the web console (ui.c) */
#define LIM_UI_FILE		(256 * 1024)	/* bytes of one file of ui_dir:
						 * 503 and a log line beyond */
#define LIM_UI_NAME		64	/* [a-z][a-z0-9_-]*.(html|css|js) */
#define LIM_SESSIONS_USER	16	/* sessions a user holds; the oldest
					 * ends when one more begins */

_Static_assert(LIM_REQUEST_LINE < LIM_HEAD, "request line fits the head");
_Static_assert(LIM_LOCK_SECONDS < LIM_REQUEST_SECONDS,
    "a lock wait ends before the request deadline");
_Static_assert(LIM_IDLE_MAX < LIM_REQUEST_SECONDS,
    "an idle connection is cut before a request deadline would be");
_Static_assert(LIM_CLAIM_STALE > 300 + 60,
    "a live deliverer's claim (webhook_timeout <= 300) is never stale");
_Static_assert(LIM_DELIVER_HOST < LIM_DELIVER_PARALLEL,
    "one receiver never holds every transfer slot");
_Static_assert(LIM_PINGS_REPO <= LIM_PINGS_USER,
    "one repository's pings do not exceed one user's");
_Static_assert(LIM_SEARCH_HOLD >= 1 && LIM_SEARCH_HOLD <= LIM_SEARCH_SHARDS,
    "a search reads at least one index record per lock hold");
_Static_assert(LIM_NAME + 16 < LIM_KEY, "a repository name fits a key");
_Static_assert(LIM_SIG + 16 < LIM_KEY, "a token fits a key");
_Static_assert(LIM_CERT_DAYS < LIM_CA_DAYS,
    "the first signing certificate of key init ends before its CA");

#endif
