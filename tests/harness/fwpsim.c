/* fwpsim: a Linux stand-in for the parts of fwpuclnt.dll that WfpIpsec.cs calls.
 *
 * Built as libfwpuclnt.so and loaded by Mono for DllImport("fwpuclnt.dll") (LD_LIBRARY_PATH).
 * Functions use the default SysV calling convention: Mono on Linux calls DllImports with it, so
 * they must NOT be declared ms_abi/__stdcall (see linux_harness_notes.md).
 *
 * What it models (enough to prove the host layer, not BFE itself):
 *   - sessions (dynamic or not), one transaction per engine, read-only transactions,
 *     rollback on abort, another session's transaction -> FWP_E_TIMEOUT;
 *   - providers, sublayers, provider contexts (deep copies of IKEEXT_POLICY2 and
 *     IPSEC_TRANSPORT_POLICY2 incl. auth methods, PSK blobs, cert roots, EM policy, for IKE,
 *     AuthIP and IKEv2, each through its own FWPM_PROVIDER_CONTEXT2 union arm) and filters
 *     (conditions, weights, rawContext/providerContextKey union), all stored as deep copies;
 *   - FWP_E_ALREADY_EXISTS, *_NOT_FOUND, IN_USE, LIFETIME_MISMATCH, BUILTIN_OBJECT,
 *     INVALID_WEIGHT, EM_NOT_SUPPORTED, CALLOUT_NOT_FOUND, INCOMPATIBLE_TXN;
 *   - lifetimes: dynamic objects die with their session, fwpsim_restart() (a BFE restart)
 *     keeps only persistent and built-in objects;
 *   - enumeration with FwpmFreeMemory0 accounting (fwpsim_outstanding()), honouring the
 *     providerKey of the sublayer / provider context / filter enum templates, the context type,
 *     the filter template's layerKey (all zero: every layer) and actionMask; every enumeration
 *     is logged with the transaction mode it ran in (fwpsim_enum_log_*);
 *   - FWPSIM_REJECT_FILTER_TEMPLATE=1: a filter template without a layer is refused
 *     (FWP_E_LAYER_NOT_FOUND), as a BFE that insists on a layer would;
 *     FWPSIM_REJECT_ENUM_FLAGS=1: template flags beyond FWP_FILTER_ENUM_VALID_FLAGS (0x3) are
 *     refused (FWP_E_INVALID_PARAMETER), as an older BFE might;
 *   - FWPSIM_BLANK_PSK=empty|zero: enumeration returns pre-shared keys blanked (no bytes, or
 *     zeroed bytes), as a BFE that hides them would;
 *   - FWPSIM_DROP_PROVIDER_DATA=1: provider contexts are stored without their providerData
 *     (a context written by another tool, or before digests were stored);
 *   - FWPSIM_FAIL_READ_AFTER_COMMIT=1: the first enumeration after a committed read-write
 *     transaction fails with RPC_S_SERVER_UNAVAILABLE (a failure after commit);
 *   - fwpsim_add_oddities(): foreign objects the host layer cannot convert;
 *   - failure injection: FWPSIM_FAIL_AT=k makes the k-th (0-based) add/delete after
 *     FwpmTransactionBegin0 fail with FWPSIM_FAIL_CODE (default FWP_E_INVALID_PARAMETER);
 *     FWPSIM_FAIL_COMMIT=1 makes the commit fail (and roll back).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fwpsim_types.h"

#define EXPORT __attribute__((visibility("default")))
typedef uint32_t DWORD;

#define ERROR_INVALID_HANDLE 6u
#define FWP_E_CALLOUT_NOT_FOUND 0x80320001u
#define FWP_E_FILTER_NOT_FOUND 0x80320003u
#define FWP_E_PROVIDER_NOT_FOUND 0x80320005u
#define FWP_E_PROVIDER_CONTEXT_NOT_FOUND 0x80320006u
#define FWP_E_SUBLAYER_NOT_FOUND 0x80320007u
#define FWP_E_ALREADY_EXISTS 0x80320009u
#define FWP_E_IN_USE 0x8032000Au
#define FWP_E_NO_TXN_IN_PROGRESS 0x8032000Du
#define FWP_E_TXN_IN_PROGRESS 0x8032000Eu
#define FWP_E_TXN_ABORTED 0x8032000Fu
#define FWP_E_INCOMPATIBLE_TXN 0x80320011u
#define FWP_E_TIMEOUT 0x80320012u
#define FWP_E_LIFETIME_MISMATCH 0x80320016u
#define FWP_E_BUILTIN_OBJECT 0x80320017u
#define FWP_E_INVALID_WEIGHT 0x80320025u
#define FWP_E_EM_NOT_SUPPORTED 0x80320032u
#define FWP_E_INVALID_PARAMETER 0x80320035u
#define FWP_E_LAYER_NOT_FOUND 0x80320004u
#define RPC_S_SERVER_UNAVAILABLE 0x800706BAu

enum { KIND_PROVIDER, KIND_SUBLAYER, KIND_CONTEXT, KIND_FILTER, KIND_COUNT };
enum { LIFE_DYNAMIC, LIFE_STATIC, LIFE_PERSISTENT, LIFE_BUILTIN };

/* FWP_DATA_TYPE, FWPM_PROVIDER_CONTEXT_TYPE, IPSEC_TRANSFORM_TYPE, IKEEXT_AUTHENTICATION_METHOD_TYPE */
enum { T_EMPTY, T_UINT8, T_UINT16, T_UINT32, T_UINT64, T_INT8, T_INT16, T_INT32, T_INT64, T_FLOAT,
       T_DOUBLE, T_BYTE_ARRAY16, T_BYTE_BLOB, T_SID, T_SD, T_TOKEN_INFO, T_TOKEN_ACCESS, T_UNICODE,
       T_BYTE_ARRAY6, T_BITMAP_INDEX, T_BITMAP_ARRAY64,
       T_V4_ADDR_MASK = 0x100, T_V6_ADDR_MASK = 0x101, T_RANGE = 0x102 };
enum { CTX_IKE_QM_TRANSPORT = 1, CTX_AUTHIP_QM_TRANSPORT = 3, CTX_IKE_MM = 5, CTX_AUTHIP_MM = 6,
       CTX_GENERAL = 8, CTX_IKEV2_MM = 10, CTX_IKEV2_QM_TRANSPORT = 12 };
enum { XF_AH = 1, XF_ESP_AUTH, XF_ESP_CIPHER, XF_ESP_AUTH_AND_CIPHER };
enum { AUTH_PSK = 0, AUTH_CERT = 1, AUTH_KERBEROS = 2, AUTH_SSL = 4, AUTH_CERT_ECDSA_P256 = 7,
       AUTH_CERT_ECDSA_P384 = 8 };

#define FLAG_PERSISTENT 0x1u
#define FILTER_FLAG_HAS_PROVIDER_CONTEXT 0x4u
#define ACTION_FLAG_CALLOUT 0x4000u
#define TXN_READ_ONLY 0x1u
#define SESSION_FLAG_DYNAMIC 0x1u

/* ---- pools: every deep copy lives in one pool, freed at once ------------------------------ */

typedef struct Pool { void **blocks; size_t count, cap; } Pool;

static void *pool_alloc(Pool *pool, size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) abort();
    if (pool->count == pool->cap) {
        pool->cap = pool->cap ? pool->cap * 2 : 16;
        pool->blocks = realloc(pool->blocks, pool->cap * sizeof(void *));
    }
    pool->blocks[pool->count++] = p;
    return p;
}

static void pool_free(Pool *pool)
{
    for (size_t i = 0; i < pool->count; i++) free(pool->blocks[i]);
    free(pool->blocks);
    free(pool);
}

static void *dup_bytes(Pool *pool, const void *src, size_t size)
{
    if (!src) return NULL;
    void *p = pool_alloc(pool, size);
    memcpy(p, src, size);
    return p;
}

static WCHAR16 *dup_wstr(Pool *pool, const WCHAR16 *src)
{
    if (!src) return NULL;
    size_t n = 0;
    while (src[n]) n++;
    return dup_bytes(pool, src, (n + 1) * sizeof(WCHAR16));
}

static void copy_blob(Pool *pool, FWP_BYTE_BLOB *dst, const FWP_BYTE_BLOB *src)
{
    dst->size = src->size;
    dst->data = src->size ? dup_bytes(pool, src->data, src->size) : NULL;
}

static FWP_BYTE_BLOB *dup_blob(Pool *pool, const FWP_BYTE_BLOB *src)
{
    if (!src) return NULL;
    FWP_BYTE_BLOB *b = pool_alloc(pool, sizeof *b);
    copy_blob(pool, b, src);
    return b;
}

static void copy_display(Pool *pool, FWPM_DISPLAY_DATA0 *dst, const FWPM_DISPLAY_DATA0 *src)
{
    dst->name = dup_wstr(pool, src->name);
    dst->description = dup_wstr(pool, src->description);
}

/* Copies the 8-byte union of an FWP_VALUE0/FWP_CONDITION_VALUE0 (same arms at offset 8). */
static int copy_value_union(Pool *pool, uint32_t type, const void *src_union, void *dst_union)
{
    const void *const *sp = src_union;
    void **dp = dst_union;
    switch (type) {
    case T_EMPTY: case T_UINT8: case T_UINT16: case T_UINT32: case T_INT8: case T_INT16:
    case T_INT32: case T_FLOAT: case T_BITMAP_INDEX:
        memcpy(dst_union, src_union, 8);
        return 0;
    case T_UINT64: case T_INT64: case T_DOUBLE: *dp = dup_bytes(pool, *sp, 8); return 0;
    case T_BYTE_ARRAY16: *dp = dup_bytes(pool, *sp, 16); return 0;
    case T_BYTE_ARRAY6: *dp = dup_bytes(pool, *sp, 6); return 0;
    case T_BITMAP_ARRAY64: *dp = dup_bytes(pool, *sp, 8); return 0;
    case T_BYTE_BLOB: case T_SD: case T_TOKEN_ACCESS: *dp = dup_blob(pool, *sp); return 0;
    case T_SID: {
        const uint8_t *sid = *sp;
        *dp = sid ? dup_bytes(pool, sid, 8 + 4 * (size_t)sid[1]) : NULL;
        return 0;
    }
    case T_UNICODE: *dp = dup_wstr(pool, *sp); return 0;
    case T_V4_ADDR_MASK: *dp = dup_bytes(pool, *sp, sizeof(FWP_V4_ADDR_AND_MASK)); return 0;
    case T_V6_ADDR_MASK: *dp = dup_bytes(pool, *sp, sizeof(FWP_V6_ADDR_AND_MASK)); return 0;
    case T_RANGE: {
        const FWP_RANGE0 *r = *sp;
        FWP_RANGE0 *copy = pool_alloc(pool, sizeof *copy);
        copy->valueLow.type = r->valueLow.type;
        copy->valueHigh.type = r->valueHigh.type;
        if (copy_value_union(pool, r->valueLow.type, &r->valueLow.uint64, &copy->valueLow.uint64) ||
            copy_value_union(pool, r->valueHigh.type, &r->valueHigh.uint64, &copy->valueHigh.uint64))
            return -1;
        *dp = copy;
        return 0;
    }
    default:
        return -1;
    }
}

static void copy_value(Pool *pool, FWP_VALUE0 *dst, const FWP_VALUE0 *src)
{
    dst->type = src->type;
    copy_value_union(pool, src->type, &src->uint64, &dst->uint64);
}

static IKEEXT_CERTIFICATE_CRITERIA0 *dup_roots(Pool *pool, const IKEEXT_CERTIFICATE_CRITERIA0 *src, uint32_t n)
{
    if (!src || !n) return NULL;
    IKEEXT_CERTIFICATE_CRITERIA0 *roots = pool_alloc(pool, n * sizeof *roots);
    for (uint32_t i = 0; i < n; i++) {
        roots[i].flags = src[i].flags;
        copy_blob(pool, &roots[i].certData, &src[i].certData);
        copy_blob(pool, &roots[i].certHash, &src[i].certHash);
        roots[i].eku = NULL;  /* EKU and name filters are not modelled */
        roots[i].name = NULL;
    }
    return roots;
}

static IKEEXT_AUTHENTICATION_METHOD2 *dup_methods(Pool *pool, const IKEEXT_AUTHENTICATION_METHOD2 *src, uint32_t n)
{
    if (!src || !n) return NULL;
    IKEEXT_AUTHENTICATION_METHOD2 *m = dup_bytes(pool, src, n * sizeof *m);
    for (uint32_t i = 0; i < n; i++) {
        switch (m[i].authenticationMethodType) {
        case AUTH_PSK:
            copy_blob(pool, &m[i].presharedKeyAuthentication.presharedKey, &src[i].presharedKeyAuthentication.presharedKey);
            break;
        case AUTH_CERT: case AUTH_SSL: case AUTH_CERT_ECDSA_P256: case AUTH_CERT_ECDSA_P384: {
            IKEEXT_CERTIFICATE_AUTHENTICATION2 *c = &m[i].certificateAuthentication;
            const IKEEXT_CERTIFICATE_AUTHENTICATION2 *s = &src[i].certificateAuthentication;
            /* Explicit trust lists (config 0) carry root configs; other arms are not modelled. */
            c->inboundRootCriteria = s->inboundConfigType == 0 ? dup_roots(pool, s->inboundRootCriteria, s->inboundRootArraySize) : NULL;
            if (s->inboundConfigType != 0) c->inboundRootArraySize = 0;
            c->outboundRootCriteria = s->outboundConfigType == 0 ? dup_roots(pool, s->outboundRootCriteria, s->outboundRootArraySize) : NULL;
            if (s->outboundConfigType != 0) c->outboundRootArraySize = 0;
            copy_blob(pool, &c->localCertLocationUrl, &s->localCertLocationUrl);
            break;
        }
        case AUTH_KERBEROS:
            m[i].kerberosAuthentication.proxyServer = dup_wstr(pool, src[i].kerberosAuthentication.proxyServer);
            break;
        default:
            break;
        }
    }
    return m;
}

static IKEEXT_POLICY2 *dup_mm(Pool *pool, const IKEEXT_POLICY2 *src)
{
    if (!src) return NULL;
    IKEEXT_POLICY2 *p = dup_bytes(pool, src, sizeof *p);
    p->authenticationMethods = dup_methods(pool, src->authenticationMethods, src->numAuthenticationMethods);
    p->ikeProposals = src->numIkeProposals ? dup_bytes(pool, src->ikeProposals, src->numIkeProposals * sizeof(IKEEXT_PROPOSAL0)) : NULL;
    return p;
}

static IPSEC_TRANSPORT_POLICY2 *dup_qm(Pool *pool, const IPSEC_TRANSPORT_POLICY2 *src)
{
    if (!src) return NULL;
    IPSEC_TRANSPORT_POLICY2 *p = dup_bytes(pool, src, sizeof *p);
    p->ipsecProposals = src->numIpsecProposals ? dup_bytes(pool, src->ipsecProposals, src->numIpsecProposals * sizeof(IPSEC_PROPOSAL0)) : NULL;
    for (uint32_t i = 0; i < p->numIpsecProposals; i++) {
        IPSEC_PROPOSAL0 *proposal = &p->ipsecProposals[i];
        const IPSEC_SA_TRANSFORM0 *st = src->ipsecProposals[i].saTransforms;
        proposal->saTransforms = proposal->numSaTransforms ? dup_bytes(pool, st, proposal->numSaTransforms * sizeof(IPSEC_SA_TRANSFORM0)) : NULL;
        for (uint32_t t = 0; t < proposal->numSaTransforms; t++) {
            IPSEC_SA_TRANSFORM0 *x = &proposal->saTransforms[t];
            switch (x->ipsecTransformType) {
            case XF_AH: case XF_ESP_AUTH: x->ahTransform = dup_bytes(pool, st[t].ahTransform, sizeof(IPSEC_AUTH_TRANSFORM0)); break;
            case XF_ESP_CIPHER: x->espCipherTransform = dup_bytes(pool, st[t].espCipherTransform, sizeof(IPSEC_CIPHER_TRANSFORM0)); break;
            case XF_ESP_AUTH_AND_CIPHER: x->espAuthAndCipherTransform = dup_bytes(pool, st[t].espAuthAndCipherTransform, sizeof(IPSEC_AUTH_AND_CIPHER_TRANSFORM0)); break;
            default: x->ahTransform = NULL; break;
            }
        }
    }
    if (src->emPolicy) {
        p->emPolicy = dup_bytes(pool, src->emPolicy, sizeof(IKEEXT_EM_POLICY2));
        p->emPolicy->authenticationMethods = dup_methods(pool, src->emPolicy->authenticationMethods, src->emPolicy->numAuthenticationMethods);
    }
    return p;
}

static FWPM_PROVIDER0 *dup_provider(Pool *pool, const FWPM_PROVIDER0 *src)
{
    FWPM_PROVIDER0 *p = dup_bytes(pool, src, sizeof *p);
    copy_display(pool, &p->displayData, &src->displayData);
    copy_blob(pool, &p->providerData, &src->providerData);
    p->serviceName = dup_wstr(pool, src->serviceName);
    return p;
}

static FWPM_SUBLAYER0 *dup_sublayer(Pool *pool, const FWPM_SUBLAYER0 *src)
{
    FWPM_SUBLAYER0 *s = dup_bytes(pool, src, sizeof *s);
    copy_display(pool, &s->displayData, &src->displayData);
    s->providerKey = dup_bytes(pool, src->providerKey, sizeof(GUID));
    copy_blob(pool, &s->providerData, &src->providerData);
    return s;
}

static FWPM_PROVIDER_CONTEXT2 *dup_context(Pool *pool, const FWPM_PROVIDER_CONTEXT2 *src)
{
    FWPM_PROVIDER_CONTEXT2 *c = dup_bytes(pool, src, sizeof *c);
    copy_display(pool, &c->displayData, &src->displayData);
    c->providerKey = dup_bytes(pool, src->providerKey, sizeof(GUID));
    copy_blob(pool, &c->providerData, &src->providerData);
    /* Each type through its own union arm, as BFE lays the union out (fwpmtypes.h). */
    switch (src->type) {
    case CTX_IKE_MM: c->ikeMmPolicy = dup_mm(pool, src->ikeMmPolicy); break;
    case CTX_AUTHIP_MM: c->authIpMmPolicy = dup_mm(pool, src->authIpMmPolicy); break;
    case CTX_IKEV2_MM: c->ikeV2MmPolicy = dup_mm(pool, src->ikeV2MmPolicy); break;
    case CTX_IKE_QM_TRANSPORT: c->ikeQmTransportPolicy = dup_qm(pool, src->ikeQmTransportPolicy); break;
    case CTX_AUTHIP_QM_TRANSPORT: c->authipQmTransportPolicy = dup_qm(pool, src->authipQmTransportPolicy); break;
    case CTX_IKEV2_QM_TRANSPORT: c->ikeV2QmTransportPolicy = dup_qm(pool, src->ikeV2QmTransportPolicy); break;
    case CTX_GENERAL: c->dataBuffer = dup_blob(pool, src->dataBuffer); break;
    default: c->keyingPolicy = NULL; break;
    }
    return c;
}

static FWPM_FILTER0 *dup_filter(Pool *pool, const FWPM_FILTER0 *src)
{
    FWPM_FILTER0 *f = dup_bytes(pool, src, sizeof *f);
    copy_display(pool, &f->displayData, &src->displayData);
    f->providerKey = dup_bytes(pool, src->providerKey, sizeof(GUID));
    copy_blob(pool, &f->providerData, &src->providerData);
    copy_value(pool, &f->weight, &src->weight);
    f->filterCondition = f->numFilterConditions ? dup_bytes(pool, src->filterCondition, f->numFilterConditions * sizeof(FWPM_FILTER_CONDITION0)) : NULL;
    for (uint32_t i = 0; i < f->numFilterConditions; i++) {
        const FWP_CONDITION_VALUE0 *sv = &src->filterCondition[i].conditionValue;
        copy_value_union(pool, sv->type, &sv->uint64, &f->filterCondition[i].conditionValue.uint64);
    }
    f->reserved = NULL;
    copy_value(pool, &f->effectiveWeight, &src->effectiveWeight);
    return f;
}

/* ---- the store -------------------------------------------------------------------------- */

typedef struct Session Session;

typedef struct Obj {
    int kind;
    GUID key;
    int lifetime;
    Session *session;          /* dynamic objects: the creating session */
    int has_owner;
    GUID owner;                /* providerKey (sublayers, contexts, filters) */
    Pool *pool;
    void *data;                /* FWPM_PROVIDER0 / FWPM_SUBLAYER0 / FWPM_PROVIDER_CONTEXT2 / FWPM_FILTER0 */
} Obj;

typedef struct List { Obj **items; size_t count, cap; } List;

struct Session {
    int dynamic;
    int in_txn;
    int read_only;
    long fail_at;
    long ops;
    Session *next;
};

static List store[KIND_COUNT];
static List snapshot[KIND_COUNT];
static List added_in_txn, deleted_in_txn;
static Session *txn_session;
static Session *sessions;
static uint64_t next_id = 70000;
static int initialised;
static long outstanding;
static long bad_frees;
static int fail_next_read;

static void list_add(List *list, Obj *obj)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->items = realloc(list->items, list->cap * sizeof(Obj *));
    }
    list->items[list->count++] = obj;
}

static void list_remove(List *list, Obj *obj)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i] == obj) {
            memmove(&list->items[i], &list->items[i + 1], (list->count - i - 1) * sizeof(Obj *));
            list->count--;
            return;
        }
}

static void list_copy(List *dst, const List *src)
{
    dst->count = 0;
    for (size_t i = 0; i < src->count; i++) list_add(dst, src->items[i]);
}

static void obj_free(Obj *obj)
{
    pool_free(obj->pool);
    free(obj);
}

static int guid_eq(const GUID *a, const GUID *b) { return memcmp(a, b, sizeof(GUID)) == 0; }
static int guid_zero(const GUID *a) { static const GUID zero; return guid_eq(a, &zero); }

static Obj *find(int kind, const GUID *key)
{
    for (size_t i = 0; i < store[kind].count; i++)
        if (guid_eq(&store[kind].items[i]->key, key)) return store[kind].items[i];
    return NULL;
}

static GUID parse_guid(const char *text)
{
    GUID g;
    unsigned int d[11];
    sscanf(text, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &d[0], &d[1], &d[2], &d[3], &d[4], &d[5], &d[6], &d[7], &d[8], &d[9], &d[10]);
    g.Data1 = d[0]; g.Data2 = (uint16_t)d[1]; g.Data3 = (uint16_t)d[2];
    for (int i = 0; i < 8; i++) g.Data4[i] = (uint8_t)d[3 + i];
    return g;
}

static WCHAR16 *wide(Pool *pool, const char *text)
{
    size_t n = strlen(text);
    WCHAR16 *w = pool_alloc(pool, (n + 1) * 2);
    for (size_t i = 0; i < n; i++) w[i] = (unsigned char)text[i];
    return w;
}

static Obj *new_obj(int kind, GUID key, int lifetime, const GUID *owner)
{
    Obj *obj = calloc(1, sizeof *obj);
    obj->kind = kind;
    obj->key = key;
    obj->lifetime = lifetime;
    obj->pool = calloc(1, sizeof(Pool));
    if (owner) { obj->has_owner = 1; obj->owner = *owner; }
    return obj;
}

static void add_builtin_sublayer(const char *key, const char *name, uint16_t weight)
{
    Obj *obj = new_obj(KIND_SUBLAYER, parse_guid(key), LIFE_BUILTIN, NULL);
    FWPM_SUBLAYER0 *s = pool_alloc(obj->pool, sizeof *s);
    s->subLayerKey = obj->key;
    s->displayData.name = wide(obj->pool, name);
    s->weight = weight;
    obj->data = s;
    list_add(&store[KIND_SUBLAYER], obj);
}

/* A host that is not empty: built-in sublayers, a foreign provider with a persistent
 * sublayer, a permit filter for TCP 3389 at ALE_AUTH_RECV_ACCEPT_V4 and a general context. */
static void init_store(void)
{
    if (initialised) return;
    initialised = 1;
    add_builtin_sublayer("eebecc03-ced4-4380-819a-2734397b2b74", "FWPM_SUBLAYER_UNIVERSAL", 0x8000);
    add_builtin_sublayer("83f299ed-9ff4-4967-aff4-c309f4dab827", "FWPM_SUBLAYER_IPSEC_TUNNEL", 0xA000);
    add_builtin_sublayer("15a66e17-3f3c-4f7b-aa6c-812aa613dd82", "FWPM_SUBLAYER_SECURE_SOCKET", 0x4000);

    GUID foreign = parse_guid("4b153735-1049-4480-aab4-d1b9bdc03710");
    Obj *p = new_obj(KIND_PROVIDER, foreign, LIFE_PERSISTENT, NULL);
    FWPM_PROVIDER0 *provider = pool_alloc(p->pool, sizeof *provider);
    provider->providerKey = foreign;
    provider->displayData.name = wide(p->pool, "Foreign firewall");
    provider->flags = FLAG_PERSISTENT;
    provider->serviceName = wide(p->pool, "foreignsvc");
    p->data = provider;
    list_add(&store[KIND_PROVIDER], p);

    Obj *s = new_obj(KIND_SUBLAYER, parse_guid("b3cdd441-af90-41ba-a745-7c6008ff2301"), LIFE_PERSISTENT, &foreign);
    FWPM_SUBLAYER0 *sublayer = pool_alloc(s->pool, sizeof *sublayer);
    sublayer->subLayerKey = s->key;
    sublayer->displayData.name = wide(s->pool, "Foreign sublayer");
    sublayer->flags = FLAG_PERSISTENT;
    sublayer->providerKey = dup_bytes(s->pool, &foreign, sizeof foreign);
    sublayer->weight = 2;
    s->data = sublayer;
    list_add(&store[KIND_SUBLAYER], s);

    Obj *c = new_obj(KIND_CONTEXT, parse_guid("b25ea800-0d02-46ed-92bd-7fa84bb73e9d"), LIFE_PERSISTENT, &foreign);
    FWPM_PROVIDER_CONTEXT2 *context = pool_alloc(c->pool, sizeof *context);
    context->providerContextKey = c->key;
    context->displayData.name = wide(c->pool, "Foreign origin");
    context->flags = FLAG_PERSISTENT;
    context->providerKey = dup_bytes(c->pool, &foreign, sizeof foreign);
    context->type = CTX_GENERAL;
    context->dataBuffer = pool_alloc(c->pool, sizeof(FWP_BYTE_BLOB));
    context->dataBuffer->size = 2;
    context->dataBuffer->data = pool_alloc(c->pool, 2);
    context->providerContextId = next_id++;
    c->data = context;
    list_add(&store[KIND_CONTEXT], c);

    Obj *f = new_obj(KIND_FILTER, parse_guid("6ba0e6a3-b4ff-4f3d-ae83-1c0b6c0f2f4e"), LIFE_PERSISTENT, &foreign);
    FWPM_FILTER0 *filter = pool_alloc(f->pool, sizeof *filter);
    filter->filterKey = f->key;
    filter->displayData.name = wide(f->pool, "Foreign RDP permit");
    filter->flags = FLAG_PERSISTENT | FILTER_FLAG_HAS_PROVIDER_CONTEXT;
    filter->providerKey = dup_bytes(f->pool, &foreign, sizeof foreign);
    filter->layerKey = parse_guid("e1cd9fe7-f4b5-4273-96c0-592e487b8650");
    filter->subLayerKey = s->key;
    filter->weight.type = T_UINT8;
    filter->weight.uint8 = 10;
    filter->numFilterConditions = 2;
    filter->filterCondition = pool_alloc(f->pool, 2 * sizeof(FWPM_FILTER_CONDITION0));
    filter->filterCondition[0].fieldKey = parse_guid("0c1ba1af-5765-453f-af22-a8f791ac775b");
    filter->filterCondition[0].conditionValue.type = T_UINT16;
    filter->filterCondition[0].conditionValue.uint16 = 3389;
    filter->filterCondition[1].fieldKey = parse_guid("3971ef2b-623e-4f9a-8cb1-6e79b806b9a7");
    filter->filterCondition[1].conditionValue.type = T_UINT8;
    filter->filterCondition[1].conditionValue.uint8 = 6;
    filter->action.type = 0x1002; /* FWP_ACTION_PERMIT */
    filter->providerContextKey = c->key;
    filter->filterId = next_id++;
    filter->effectiveWeight.type = T_UINT64;
    filter->effectiveWeight.uint64 = pool_alloc(f->pool, 8);
    *filter->effectiveWeight.uint64 = (uint64_t)10 << 60;
    f->data = filter;
    list_add(&store[KIND_FILTER], f);
}

static Session *valid_session(void *handle)
{
    for (Session *s = sessions; s; s = s->next)
        if (s == handle) return s;
    return NULL;
}

static void trace(const char *fmt, ...)
{
    if (!getenv("FWPSIM_TRACE")) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[fwpsim] ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- transactions ------------------------------------------------------------------------ */

static void begin_txn(Session *s, int read_only)
{
    for (int k = 0; k < KIND_COUNT; k++) list_copy(&snapshot[k], &store[k]);
    added_in_txn.count = deleted_in_txn.count = 0;
    txn_session = s;
    s->in_txn = 1;
    s->read_only = read_only;
    s->ops = 0;
    const char *fail = getenv("FWPSIM_FAIL_AT");
    s->fail_at = fail && *fail ? atol(fail) : -1;
}

static void end_txn(Session *s, int commit)
{
    if (commit) {
        for (size_t i = 0; i < deleted_in_txn.count; i++) obj_free(deleted_in_txn.items[i]);
    } else {
        for (size_t i = 0; i < added_in_txn.count; i++) obj_free(added_in_txn.items[i]);
        for (int k = 0; k < KIND_COUNT; k++) list_copy(&store[k], &snapshot[k]);
    }
    added_in_txn.count = deleted_in_txn.count = 0;
    txn_session = NULL;
    s->in_txn = 0;
}

/* Every add/delete goes through here: session/transaction checks and failure injection. */
static DWORD enter_write(Session *s, int *implicit)
{
    *implicit = 0;
    if (txn_session && txn_session != s) return FWP_E_TIMEOUT;
    if (s->in_txn && s->read_only) return FWP_E_INCOMPATIBLE_TXN;
    if (!s->in_txn) { begin_txn(s, 0); *implicit = 1; }
    if (s->fail_at >= 0 && s->ops++ == s->fail_at) {
        const char *code = getenv("FWPSIM_FAIL_CODE");
        return code && *code ? (DWORD)strtoul(code, NULL, 0) : FWP_E_INVALID_PARAMETER;
    }
    return 0;
}

static DWORD leave_write(Session *s, int implicit, DWORD status)
{
    if (implicit) end_txn(s, status == 0);
    return status;
}

static int lifetime_for(Session *s, uint32_t flags)
{
    if (s->dynamic) return LIFE_DYNAMIC;
    return (flags & FLAG_PERSISTENT) ? LIFE_PERSISTENT : LIFE_STATIC;
}

/* The association rules of "Object Management": static may not reference dynamic; persistent
 * may not reference dynamic, static, or (except providers) another provider's persistent objects. */
static DWORD check_reference(const Obj *referrer, const Obj *target, int same_owner_rule)
{
    if (target->lifetime == LIFE_BUILTIN) return 0;
    if (target->lifetime == LIFE_DYNAMIC && (referrer->lifetime != LIFE_DYNAMIC || referrer->session != target->session))
        return FWP_E_LIFETIME_MISMATCH;
    if (referrer->lifetime == LIFE_PERSISTENT) {
        if (target->lifetime != LIFE_PERSISTENT) return FWP_E_LIFETIME_MISMATCH;
        if (same_owner_rule && (referrer->has_owner != target->has_owner ||
                                (referrer->has_owner && !guid_eq(&referrer->owner, &target->owner))))
            return FWP_E_LIFETIME_MISMATCH;
    }
    return 0;
}

static DWORD check_owner(const Obj *obj)
{
    if (!obj->has_owner) return 0;
    Obj *provider = find(KIND_PROVIDER, &obj->owner);
    if (!provider) return FWP_E_PROVIDER_NOT_FOUND;
    return check_reference(obj, provider, 0);
}

static void commit_add(Obj *obj)
{
    list_add(&store[obj->kind], obj);
    list_add(&added_in_txn, obj);
}

static DWORD add_object(void *engine, int kind, const void *src, uint64_t *id)
{
    init_store();
    Session *s = valid_session(engine);
    if (!s) return ERROR_INVALID_HANDLE;
    if (!src) return FWP_E_INVALID_PARAMETER;
    int implicit;
    DWORD status = enter_write(s, &implicit);
    if (status) return leave_write(s, implicit, status);

    const GUID *key, *owner = NULL;
    uint32_t flags;
    switch (kind) {
    case KIND_PROVIDER: key = &((const FWPM_PROVIDER0 *)src)->providerKey; flags = ((const FWPM_PROVIDER0 *)src)->flags; break;
    case KIND_SUBLAYER: key = &((const FWPM_SUBLAYER0 *)src)->subLayerKey; flags = ((const FWPM_SUBLAYER0 *)src)->flags; owner = ((const FWPM_SUBLAYER0 *)src)->providerKey; break;
    case KIND_CONTEXT: key = &((const FWPM_PROVIDER_CONTEXT2 *)src)->providerContextKey; flags = ((const FWPM_PROVIDER_CONTEXT2 *)src)->flags; owner = ((const FWPM_PROVIDER_CONTEXT2 *)src)->providerKey; break;
    default: key = &((const FWPM_FILTER0 *)src)->filterKey; flags = ((const FWPM_FILTER0 *)src)->flags; owner = ((const FWPM_FILTER0 *)src)->providerKey; break;
    }
    if (find(kind, key)) return leave_write(s, implicit, FWP_E_ALREADY_EXISTS);
    Obj *obj = new_obj(kind, *key, lifetime_for(s, flags), owner);
    obj->session = s;
    status = check_owner(obj);

    if (!status && kind == KIND_PROVIDER) {
        obj->data = dup_provider(obj->pool, src);
    } else if (!status && kind == KIND_SUBLAYER) {
        obj->data = dup_sublayer(obj->pool, src);
    } else if (!status && kind == KIND_CONTEXT) {
        const FWPM_PROVIDER_CONTEXT2 *c = src;
        /* Extended mode is AuthIP's: an IKE or IKEv2 quick-mode policy with one is refused. */
        if ((c->type == CTX_IKE_QM_TRANSPORT && c->ikeQmTransportPolicy && c->ikeQmTransportPolicy->emPolicy) ||
            (c->type == CTX_IKEV2_QM_TRANSPORT && c->ikeV2QmTransportPolicy && c->ikeV2QmTransportPolicy->emPolicy))
            status = FWP_E_EM_NOT_SUPPORTED;
        else if ((c->type == CTX_IKE_MM || c->type == CTX_AUTHIP_MM || c->type == CTX_IKEV2_MM ||
                  c->type == CTX_IKE_QM_TRANSPORT || c->type == CTX_AUTHIP_QM_TRANSPORT ||
                  c->type == CTX_IKEV2_QM_TRANSPORT) && !c->keyingPolicy)
            status = FWP_E_INVALID_PARAMETER;
        if (!status) {
            FWPM_PROVIDER_CONTEXT2 *copy = dup_context(obj->pool, c);
            const char *drop = getenv("FWPSIM_DROP_PROVIDER_DATA");
            if (drop && *drop == '1') { copy->providerData.size = 0; copy->providerData.data = NULL; }
            copy->providerContextId = next_id++;
            if (id) *id = copy->providerContextId;
            obj->data = copy;
        }
    } else if (!status) {
        const FWPM_FILTER0 *f = src;
        GUID sublayer_key = f->subLayerKey;
        if (guid_zero(&sublayer_key)) sublayer_key = parse_guid("eebecc03-ced4-4380-819a-2734397b2b74");
        Obj *sublayer = find(KIND_SUBLAYER, &sublayer_key);
        if (!sublayer) status = FWP_E_SUBLAYER_NOT_FOUND;
        if (!status) status = check_reference(obj, sublayer, 1);
        if (!status && (f->flags & FILTER_FLAG_HAS_PROVIDER_CONTEXT)) {
            Obj *context = find(KIND_CONTEXT, &f->providerContextKey);
            status = context ? check_reference(obj, context, 1) : FWP_E_PROVIDER_CONTEXT_NOT_FOUND;
        }
        if (!status && !(f->weight.type == T_EMPTY || f->weight.type == T_UINT64 ||
                         (f->weight.type == T_UINT8 && f->weight.uint8 <= 15)))
            status = FWP_E_INVALID_WEIGHT;
        if (!status && (f->action.type & ACTION_FLAG_CALLOUT) && guid_zero(&f->action.calloutKey))
            status = FWP_E_CALLOUT_NOT_FOUND;
        for (uint32_t i = 0; !status && i < f->numFilterConditions; i++)
            if (!f->filterCondition) status = FWP_E_INVALID_PARAMETER;
        if (!status) {
            FWPM_FILTER0 *copy = dup_filter(obj->pool, f);
            copy->subLayerKey = sublayer_key;
            copy->filterId = next_id++;
            copy->effectiveWeight.type = T_UINT64;
            copy->effectiveWeight.uint64 = pool_alloc(obj->pool, 8);
            if (f->weight.type == T_UINT64) *copy->effectiveWeight.uint64 = *f->weight.uint64;
            else if (f->weight.type == T_UINT8) *copy->effectiveWeight.uint64 = (uint64_t)f->weight.uint8 << 60;
            else *copy->effectiveWeight.uint64 = (uint64_t)f->numFilterConditions << 56;
            if (id) *id = copy->filterId;
            obj->data = copy;
        }
    }
    if (status) {
        obj_free(obj);
        return leave_write(s, implicit, status);
    }
    commit_add(obj);
    trace("add kind=%d id=%llu", kind, (unsigned long long)next_id);
    return leave_write(s, implicit, 0);
}

static int references(const Obj *referrer, int kind, const GUID *key)
{
    if (kind == KIND_PROVIDER) return referrer->has_owner && guid_eq(&referrer->owner, key);
    if (referrer->kind != KIND_FILTER) return 0;
    const FWPM_FILTER0 *f = referrer->data;
    if (kind == KIND_SUBLAYER) return guid_eq(&f->subLayerKey, key);
    if (kind == KIND_CONTEXT) return (f->flags & FILTER_FLAG_HAS_PROVIDER_CONTEXT) && guid_eq(&f->providerContextKey, key);
    return 0;
}

static DWORD delete_object(void *engine, int kind, const GUID *key)
{
    static const DWORD not_found[] = { FWP_E_PROVIDER_NOT_FOUND, FWP_E_SUBLAYER_NOT_FOUND, FWP_E_PROVIDER_CONTEXT_NOT_FOUND, FWP_E_FILTER_NOT_FOUND };
    init_store();
    Session *s = valid_session(engine);
    if (!s) return ERROR_INVALID_HANDLE;
    if (!key) return FWP_E_INVALID_PARAMETER;
    int implicit;
    DWORD status = enter_write(s, &implicit);
    if (status) return leave_write(s, implicit, status);
    Obj *obj = find(kind, key);
    if (!obj) return leave_write(s, implicit, not_found[kind]);
    if (obj->lifetime == LIFE_BUILTIN) return leave_write(s, implicit, FWP_E_BUILTIN_OBJECT);
    for (int k = kind + 1; k < KIND_COUNT; k++)
        for (size_t i = 0; i < store[k].count; i++)
            if (references(store[k].items[i], kind, key)) return leave_write(s, implicit, FWP_E_IN_USE);
    list_remove(&store[kind], obj);
    /* Objects added in this transaction are freed at once; others survive for a rollback. */
    int fresh = 0;
    for (size_t i = 0; i < added_in_txn.count; i++)
        if (added_in_txn.items[i] == obj) fresh = 1;
    if (fresh) {
        list_remove(&added_in_txn, obj);
        obj_free(obj);
    } else {
        list_add(&deleted_in_txn, obj);
    }
    return leave_write(s, implicit, 0);
}

/* ---- enumeration ------------------------------------------------------------------------- */

typedef struct EnumHandle {
    int kind;
    size_t position;
    int has_layer;
    GUID layer;
    int has_provider;
    GUID provider;
    int has_context_type;
    uint32_t context_type;
    uint32_t action_mask;
    long log_index;
    Session *session;
    struct EnumHandle *next;
} EnumHandle;

typedef struct Allocation { void *array; Pool *pool; struct Allocation *next; } Allocation;

/* One line per enumeration handle: what was asked, in which transaction, how much came back. */
typedef struct EnumLog { int kind, txn, has_provider, has_layer; long returned; } EnumLog;
enum { TXN_NONE, TXN_READ, TXN_WRITE };
#define ENUM_LOG_MAX 4096

static EnumHandle *enums;
static Allocation *allocations;
static EnumLog enum_log[ENUM_LOG_MAX];
static long enum_log_count;

static uint32_t action_type_of(const Obj *obj) { return ((const FWPM_FILTER0 *)obj->data)->action.type; }

static int visible(const EnumHandle *h, const Obj *obj)
{
    if (h->has_provider && !(obj->has_owner && guid_eq(&obj->owner, &h->provider))) return 0;
    if (h->has_layer && !guid_eq(&((const FWPM_FILTER0 *)obj->data)->layerKey, &h->layer)) return 0;
    if (h->has_context_type && ((const FWPM_PROVIDER_CONTEXT2 *)obj->data)->type != h->context_type) return 0;
    if (h->kind == KIND_FILTER && !(action_type_of(obj) & h->action_mask)) return 0;
    return 1;
}

static DWORD create_enum(void *engine, int kind, EnumHandle *spec, void **handle)
{
    init_store();
    Session *s = valid_session(engine);
    if (!s) return ERROR_INVALID_HANDLE;
    if (!handle) return FWP_E_INVALID_PARAMETER;
    if (txn_session && txn_session != s) return FWP_E_TIMEOUT;
    if (fail_next_read) {
        fail_next_read = 0;
        return RPC_S_SERVER_UNAVAILABLE;
    }
    EnumHandle *h = calloc(1, sizeof *h);
    *h = *spec;
    h->kind = kind;
    h->session = s;
    h->log_index = -1;
    if (enum_log_count < ENUM_LOG_MAX) {
        EnumLog *entry = &enum_log[enum_log_count];
        entry->kind = kind;
        entry->txn = !s->in_txn ? TXN_NONE : s->read_only ? TXN_READ : TXN_WRITE;
        entry->has_provider = h->has_provider;
        entry->has_layer = h->has_layer;
        entry->returned = 0;
        h->log_index = enum_log_count++;
    }
    h->next = enums;
    enums = h;
    *handle = h;
    return 0;
}

static EnumHandle no_template(void)
{
    EnumHandle spec;
    memset(&spec, 0, sizeof spec);
    spec.action_mask = 0xFFFFFFFFu;
    return spec;
}

static EnumHandle provider_template(const GUID *provider)
{
    EnumHandle spec = no_template();
    if (provider) { spec.has_provider = 1; spec.provider = *provider; }
    return spec;
}

static EnumHandle *find_enum(void *handle, int kind)
{
    for (EnumHandle *h = enums; h; h = h->next)
        if (h == handle && h->kind == kind) return h;
    return NULL;
}

static void blank_methods(IKEEXT_AUTHENTICATION_METHOD2 *m, uint32_t n, int zero)
{
    for (uint32_t i = 0; m && i < n; i++) {
        FWP_BYTE_BLOB *key = &m[i].presharedKeyAuthentication.presharedKey;
        if (m[i].authenticationMethodType != AUTH_PSK) continue;
        if (zero) { if (key->data) memset(key->data, 0, key->size); }
        else { key->size = 0; key->data = NULL; }
    }
}

/* FWPSIM_BLANK_PSK=empty|zero: a BFE that does not return stored pre-shared keys. */
static FWPM_PROVIDER_CONTEXT2 *blank_psks(FWPM_PROVIDER_CONTEXT2 *c)
{
    const char *mode = getenv("FWPSIM_BLANK_PSK");
    if (!mode || !*mode) return c;
    int zero = strcmp(mode, "zero") == 0;
    if ((c->type == CTX_IKE_MM || c->type == CTX_AUTHIP_MM || c->type == CTX_IKEV2_MM) && c->ikeMmPolicy)
        blank_methods(c->ikeMmPolicy->authenticationMethods, c->ikeMmPolicy->numAuthenticationMethods, zero);
    if ((c->type == CTX_IKE_QM_TRANSPORT || c->type == CTX_AUTHIP_QM_TRANSPORT || c->type == CTX_IKEV2_QM_TRANSPORT) && c->ikeQmTransportPolicy &&
        c->ikeQmTransportPolicy->emPolicy)
        blank_methods(c->ikeQmTransportPolicy->emPolicy->authenticationMethods,
                      c->ikeQmTransportPolicy->emPolicy->numAuthenticationMethods, zero);
    return c;
}

static DWORD enumerate(void *engine, void *handle, int kind, uint32_t requested, void ***entries, uint32_t *returned)
{
    Session *s = valid_session(engine);
    EnumHandle *h = find_enum(handle, kind);
    if (!s || !h || h->session != s) return ERROR_INVALID_HANDLE;
    if (!entries || !returned) return FWP_E_INVALID_PARAMETER;
    Pool *pool = calloc(1, sizeof(Pool));
    void **array = pool_alloc(pool, (requested ? requested : 1) * sizeof(void *));
    uint32_t n = 0;
    size_t seen = 0;
    for (size_t i = 0; i < store[kind].count && n < requested; i++) {
        Obj *obj = store[kind].items[i];
        if (!visible(h, obj)) continue;
        if (seen++ < h->position) continue;
        switch (kind) {
        case KIND_PROVIDER: array[n++] = dup_provider(pool, obj->data); break;
        case KIND_SUBLAYER: array[n++] = dup_sublayer(pool, obj->data); break;
        case KIND_CONTEXT: array[n++] = blank_psks(dup_context(pool, obj->data)); break;
        default: array[n++] = dup_filter(pool, obj->data); break;
        }
    }
    h->position += n;
    if (h->log_index >= 0) enum_log[h->log_index].returned += n;
    if (n == 0) {
        pool_free(pool);
        *entries = NULL;
    } else {
        Allocation *a = calloc(1, sizeof *a);
        a->array = array;
        a->pool = pool;
        a->next = allocations;
        allocations = a;
        outstanding++;
        *entries = array;
    }
    *returned = n;
    return 0;
}

static DWORD destroy_enum(void *engine, void *handle, int kind)
{
    if (!valid_session(engine)) return ERROR_INVALID_HANDLE;
    for (EnumHandle **p = &enums; *p; p = &(*p)->next)
        if (*p == handle && (*p)->kind == kind) {
            EnumHandle *h = *p;
            *p = h->next;
            free(h);
            return 0;
        }
    return ERROR_INVALID_HANDLE;
}

/* ---- exported API ------------------------------------------------------------------------ */

EXPORT DWORD FwpmEngineOpen0(const WCHAR16 *server, uint32_t authn, void *identity, const FWPM_SESSION0 *session, void **engine)
{
    (void)authn; (void)identity;
    init_store();
    if (server || !engine) return FWP_E_INVALID_PARAMETER;
    Session *s = calloc(1, sizeof *s);
    s->dynamic = session && (session->flags & SESSION_FLAG_DYNAMIC);
    s->next = sessions;
    sessions = s;
    *engine = s;
    return 0;
}

EXPORT DWORD FwpmEngineClose0(void *engine)
{
    Session *s = valid_session(engine);
    if (!s) return ERROR_INVALID_HANDLE;
    if (s->in_txn) end_txn(s, 0);
    /* Dynamic objects die with their session (filters first: they reference the others). */
    for (int k = KIND_COUNT - 1; k >= 0; k--)
        for (size_t i = store[k].count; i-- > 0;) {
            Obj *obj = store[k].items[i];
            if (obj->lifetime == LIFE_DYNAMIC && obj->session == s) {
                list_remove(&store[k], obj);
                obj_free(obj);
            }
        }
    for (EnumHandle **p = &enums; *p;) {
        if ((*p)->session == s) { EnumHandle *h = *p; *p = h->next; free(h); }
        else p = &(*p)->next;
    }
    for (Session **p = &sessions; *p; p = &(*p)->next)
        if (*p == s) { *p = s->next; break; }
    free(s);
    return 0;
}

EXPORT DWORD FwpmTransactionBegin0(void *engine, uint32_t flags)
{
    Session *s = valid_session(engine);
    if (!s) return ERROR_INVALID_HANDLE;
    if (s->in_txn) return FWP_E_TXN_IN_PROGRESS;
    if (txn_session) return FWP_E_TIMEOUT;
    begin_txn(s, (flags & TXN_READ_ONLY) != 0);
    return 0;
}

EXPORT DWORD FwpmTransactionCommit0(void *engine)
{
    Session *s = valid_session(engine);
    if (!s) return ERROR_INVALID_HANDLE;
    if (!s->in_txn) return FWP_E_NO_TXN_IN_PROGRESS;
    const char *fail = getenv("FWPSIM_FAIL_COMMIT");
    if (fail && *fail == '1' && !s->read_only) {
        end_txn(s, 0);
        return FWP_E_TXN_ABORTED;
    }
    end_txn(s, 1);
    const char *fail_read = getenv("FWPSIM_FAIL_READ_AFTER_COMMIT");
    if (fail_read && *fail_read == '1' && !s->read_only) fail_next_read = 1;
    return 0;
}

EXPORT DWORD FwpmTransactionAbort0(void *engine)
{
    Session *s = valid_session(engine);
    if (!s) return ERROR_INVALID_HANDLE;
    if (!s->in_txn) return FWP_E_NO_TXN_IN_PROGRESS;
    end_txn(s, 0);
    return 0;
}

EXPORT void FwpmFreeMemory0(void **p)
{
    if (!p || !*p) return;
    for (Allocation **a = &allocations; *a; a = &(*a)->next)
        if ((*a)->array == *p) {
            Allocation *found = *a;
            *a = found->next;
            pool_free(found->pool);
            free(found);
            outstanding--;
            *p = NULL;
            return;
        }
    bad_frees++;
    *p = NULL;
}

EXPORT DWORD FwpmProviderAdd0(void *engine, const FWPM_PROVIDER0 *provider, void *sd)
{ (void)sd; return add_object(engine, KIND_PROVIDER, provider, NULL); }
EXPORT DWORD FwpmProviderDeleteByKey0(void *engine, const GUID *key)
{ return delete_object(engine, KIND_PROVIDER, key); }
EXPORT DWORD FwpmProviderCreateEnumHandle0(void *engine, const void *tmpl, void **handle)
{ (void)tmpl; EnumHandle spec = no_template(); return create_enum(engine, KIND_PROVIDER, &spec, handle); }
EXPORT DWORD FwpmProviderEnum0(void *engine, void *handle, uint32_t n, void ***entries, uint32_t *returned)
{ return enumerate(engine, handle, KIND_PROVIDER, n, entries, returned); }
EXPORT DWORD FwpmProviderDestroyEnumHandle0(void *engine, void *handle)
{ return destroy_enum(engine, handle, KIND_PROVIDER); }

EXPORT DWORD FwpmSubLayerAdd0(void *engine, const FWPM_SUBLAYER0 *sublayer, void *sd)
{ (void)sd; return add_object(engine, KIND_SUBLAYER, sublayer, NULL); }
EXPORT DWORD FwpmSubLayerDeleteByKey0(void *engine, const GUID *key)
{ return delete_object(engine, KIND_SUBLAYER, key); }
EXPORT DWORD FwpmSubLayerCreateEnumHandle0(void *engine, const FWPM_SUBLAYER_ENUM_TEMPLATE0 *tmpl, void **handle)
{ EnumHandle spec = provider_template(tmpl ? tmpl->providerKey : NULL); return create_enum(engine, KIND_SUBLAYER, &spec, handle); }
EXPORT DWORD FwpmSubLayerEnum0(void *engine, void *handle, uint32_t n, void ***entries, uint32_t *returned)
{ return enumerate(engine, handle, KIND_SUBLAYER, n, entries, returned); }
EXPORT DWORD FwpmSubLayerDestroyEnumHandle0(void *engine, void *handle)
{ return destroy_enum(engine, handle, KIND_SUBLAYER); }

EXPORT DWORD FwpmProviderContextAdd2(void *engine, const FWPM_PROVIDER_CONTEXT2 *context, void *sd, uint64_t *id)
{ (void)sd; return add_object(engine, KIND_CONTEXT, context, id); }
EXPORT DWORD FwpmProviderContextDeleteByKey0(void *engine, const GUID *key)
{ return delete_object(engine, KIND_CONTEXT, key); }
EXPORT DWORD FwpmProviderContextCreateEnumHandle0(void *engine, const FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *tmpl, void **handle)
{
    EnumHandle spec = provider_template(tmpl ? tmpl->providerKey : NULL);
    if (tmpl) { spec.has_context_type = 1; spec.context_type = tmpl->providerContextType; }
    return create_enum(engine, KIND_CONTEXT, &spec, handle);
}
EXPORT DWORD FwpmProviderContextEnum2(void *engine, void *handle, uint32_t n, void ***entries, uint32_t *returned)
{ return enumerate(engine, handle, KIND_CONTEXT, n, entries, returned); }
EXPORT DWORD FwpmProviderContextDestroyEnumHandle0(void *engine, void *handle)
{ return destroy_enum(engine, handle, KIND_CONTEXT); }

EXPORT DWORD FwpmFilterAdd0(void *engine, const FWPM_FILTER0 *filter, void *sd, uint64_t *id)
{ (void)sd; return add_object(engine, KIND_FILTER, filter, id); }
EXPORT DWORD FwpmFilterDeleteByKey0(void *engine, const GUID *key)
{ return delete_object(engine, KIND_FILTER, key); }
EXPORT DWORD FwpmFilterCreateEnumHandle0(void *engine, const FWPM_FILTER_ENUM_TEMPLATE0 *tmpl, void **handle)
{
    EnumHandle spec = provider_template(tmpl ? tmpl->providerKey : NULL);
    if (tmpl) {
        const char *reject = getenv("FWPSIM_REJECT_FILTER_TEMPLATE");
        if (guid_zero(&tmpl->layerKey) && reject && *reject == '1') return FWP_E_LAYER_NOT_FOUND;
        const char *old_flags = getenv("FWPSIM_REJECT_ENUM_FLAGS");
        if ((tmpl->flags & ~0x3u) && old_flags && *old_flags == '1') return FWP_E_INVALID_PARAMETER;
        if (!guid_zero(&tmpl->layerKey)) { spec.has_layer = 1; spec.layer = tmpl->layerKey; }
        spec.action_mask = tmpl->actionMask;
    }
    return create_enum(engine, KIND_FILTER, &spec, handle);
}
EXPORT DWORD FwpmFilterEnum0(void *engine, void *handle, uint32_t n, void ***entries, uint32_t *returned)
{ return enumerate(engine, handle, KIND_FILTER, n, entries, returned); }
EXPORT DWORD FwpmFilterDestroyEnumHandle0(void *engine, void *handle)
{ return destroy_enum(engine, handle, KIND_FILTER); }

/* ---- harness controls (not part of fwpuclnt) --------------------------------------------- */

/* A BFE restart: only persistent and built-in objects survive. */
EXPORT void fwpsim_restart(void)
{
    init_store();
    for (int k = KIND_COUNT - 1; k >= 0; k--)
        for (size_t i = store[k].count; i-- > 0;) {
            Obj *obj = store[k].items[i];
            if (obj->lifetime == LIFE_STATIC || obj->lifetime == LIFE_DYNAMIC) {
                list_remove(&store[k], obj);
                obj_free(obj);
            }
        }
}

/* Objects the host layer cannot convert, and one it can although it is new; owned by the
 * foreign provider, or by `owner` (a provider that must exist) when it is not NULL. */
EXPORT void fwpsim_add_oddities(const GUID *owner)
{
    init_store();
    static const char *const keys[] = {
        "0dd00001-0000-4000-8000-000000000001",  /* condition of a data type newer than the catalogue */
        "0dd00001-0000-4000-8000-000000000002",  /* security descriptor condition with bytes that are no SD */
        "0dd00001-0000-4000-8000-000000000003",  /* FWP_UINT64 condition whose pointer is null */
        "0dd00001-0000-4000-8000-000000000004",  /* action type unknown to the catalogue */
        "0dd00001-0000-4000-8000-000000000005",  /* a layer unknown to the catalogue: readable */
    };
    GUID foreign = owner ? *owner : parse_guid("4b153735-1049-4480-aab4-d1b9bdc03710");
    GUID sublayer = parse_guid("b3cdd441-af90-41ba-a745-7c6008ff2301");
    for (int i = 0; i < 5; i++) {
        GUID key = parse_guid(keys[i]);
        if (owner) key.Data1 ^= 0x00010000u;
        Obj *f = new_obj(KIND_FILTER, key, LIFE_PERSISTENT, &foreign);
        FWPM_FILTER0 *filter = pool_alloc(f->pool, sizeof *filter);
        filter->filterKey = f->key;
        filter->displayData.name = wide(f->pool, "Foreign oddity");
        filter->flags = FLAG_PERSISTENT;
        filter->providerKey = dup_bytes(f->pool, &foreign, sizeof foreign);
        /* ALE_AUTH_RECV_ACCEPT_V4, or a made-up layer for the last one */
        filter->layerKey = parse_guid(i == 4 ? "0dd0aaaa-0000-4000-8000-00000000beef" : "e1cd9fe7-f4b5-4273-96c0-592e487b8650");
        filter->subLayerKey = sublayer;
        filter->weight.type = T_UINT8;
        filter->weight.uint8 = 3;
        filter->action.type = i == 3 ? 0x1077u : 0x1001u; /* FWP_ACTION_BLOCK */
        filter->numFilterConditions = i < 3 ? 1 : 0;
        if (i < 3) {
            filter->filterCondition = pool_alloc(f->pool, sizeof(FWPM_FILTER_CONDITION0));
            FWP_CONDITION_VALUE0 *v = &filter->filterCondition[0].conditionValue;
            filter->filterCondition[0].fieldKey = parse_guid("0c1ba1af-5765-453f-af22-a8f791ac775b");
            if (i == 0) { v->type = 0x77; v->uint32 = 7; }
            if (i == 1) {
                v->type = T_SD;
                v->sd = pool_alloc(f->pool, sizeof(FWP_BYTE_BLOB));
                v->sd->size = 3;
                v->sd->data = dup_bytes(f->pool, "\x07\x07\x07", 3);
            }
            if (i == 2) { v->type = T_UINT64; v->uint64 = NULL; }
        }
        filter->filterId = next_id++;
        f->data = filter;
        list_add(&store[KIND_FILTER], f);
    }
    /* A provider context of a type newer than the catalogue. */
    GUID context_key = parse_guid("0dd00002-0000-4000-8000-000000000001");
    if (owner) context_key.Data1 ^= 0x00010000u;
    Obj *c = new_obj(KIND_CONTEXT, context_key, LIFE_PERSISTENT, &foreign);
    FWPM_PROVIDER_CONTEXT2 *context = pool_alloc(c->pool, sizeof *context);
    context->providerContextKey = c->key;
    context->displayData.name = wide(c->pool, "Foreign future context");
    context->providerKey = dup_bytes(c->pool, &foreign, sizeof foreign);
    context->type = 0x42;
    context->providerContextId = next_id++;
    c->data = context;
    list_add(&store[KIND_CONTEXT], c);
}

EXPORT void fwpsim_enum_log_reset(void) { enum_log_count = 0; }
EXPORT long fwpsim_enum_log_count(void) { return enum_log_count; }
/* kind (0 provider, 1 sublayer, 2 context, 3 filter), txn (0 none, 1 read-only, 2 read-write),
 * provider template, layer template, objects returned. */
EXPORT long fwpsim_enum_log_field(long index, int field)
{
    if (index < 0 || index >= enum_log_count) return -1;
    const EnumLog *e = &enum_log[index];
    switch (field) {
    case 0: return e->kind;
    case 1: return e->txn;
    case 2: return e->has_provider;
    case 3: return e->has_layer;
    default: return e->returned;
    }
}

EXPORT long fwpsim_outstanding(void) { return outstanding; }
EXPORT long fwpsim_bad_frees(void) { return bad_frees; }
EXPORT long fwpsim_open_sessions(void) { long n = 0; for (Session *s = sessions; s; s = s->next) n++; return n; }
EXPORT long fwpsim_open_enums(void) { long n = 0; for (EnumHandle *h = enums; h; h = h->next) n++; return n; }
EXPORT int fwpsim_in_transaction(void) { return txn_session != NULL; }
