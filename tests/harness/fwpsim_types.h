/* Windows x64 layouts of the WFP structs the stand-in handles, declared by hand for the
 * project (not copied from any SDK or mingw header) with fixed-width types so that Linux gcc
 * lays them out as x64 Windows does. fwpsim_layout.c prints every offset and size and
 * tests/unit/host/test_layouts.py compares them with the x64 SDK table (structs.csv). */
#ifndef FWPSIM_TYPES_H
#define FWPSIM_TYPES_H

#include <stdint.h>

typedef uint16_t WCHAR16;

typedef struct { uint32_t Data1; uint16_t Data2; uint16_t Data3; uint8_t Data4[8]; } GUID;

typedef struct { uint32_t size; uint8_t *data; } FWP_BYTE_BLOB;
typedef struct { uint8_t byteArray16[16]; } FWP_BYTE_ARRAY16;
typedef struct { uint8_t byteArray6[6]; } FWP_BYTE_ARRAY6;
typedef struct { uint32_t addr; uint32_t mask; } FWP_V4_ADDR_AND_MASK;
typedef struct { uint8_t addr[16]; uint8_t prefixLength; } FWP_V6_ADDR_AND_MASK;

typedef struct {
    uint32_t type;
    union {
        uint8_t uint8; uint16_t uint16; uint32_t uint32; uint64_t *uint64;
        int8_t int8; int16_t int16; int32_t int32; int64_t *int64;
        float float32; double *double64;
        FWP_BYTE_ARRAY16 *byteArray16; FWP_BYTE_BLOB *byteBlob; void *sid; FWP_BYTE_BLOB *sd;
        void *tokenInformation; FWP_BYTE_BLOB *tokenAccessInformation; WCHAR16 *unicodeString;
        FWP_BYTE_ARRAY6 *byteArray6; void *bitmapArray64;
    };
} FWP_VALUE0;

typedef struct { FWP_VALUE0 valueLow; FWP_VALUE0 valueHigh; } FWP_RANGE0;

typedef struct {
    uint32_t type;
    union {
        uint8_t uint8; uint16_t uint16; uint32_t uint32; uint64_t *uint64;
        int8_t int8; int16_t int16; int32_t int32; int64_t *int64;
        float float32; double *double64;
        FWP_BYTE_ARRAY16 *byteArray16; FWP_BYTE_BLOB *byteBlob; void *sid; FWP_BYTE_BLOB *sd;
        void *tokenInformation; FWP_BYTE_BLOB *tokenAccessInformation; WCHAR16 *unicodeString;
        FWP_BYTE_ARRAY6 *byteArray6; void *bitmapArray64;
        FWP_V4_ADDR_AND_MASK *v4AddrMask; FWP_V6_ADDR_AND_MASK *v6AddrMask; FWP_RANGE0 *rangeValue;
    };
} FWP_CONDITION_VALUE0;

typedef struct { WCHAR16 *name; WCHAR16 *description; } FWPM_DISPLAY_DATA0;

typedef struct { GUID fieldKey; uint32_t matchType; FWP_CONDITION_VALUE0 conditionValue; } FWPM_FILTER_CONDITION0;

typedef struct {
    uint32_t type;
    union { GUID filterType; GUID calloutKey; uint8_t bitmapIndex; };
} FWPM_ACTION0;

typedef struct {
    GUID filterKey;
    FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    GUID *providerKey;
    FWP_BYTE_BLOB providerData;
    GUID layerKey;
    GUID subLayerKey;
    FWP_VALUE0 weight;
    uint32_t numFilterConditions;
    FWPM_FILTER_CONDITION0 *filterCondition;
    FWPM_ACTION0 action;
    union { uint64_t rawContext; GUID providerContextKey; };
    GUID *reserved;
    uint64_t filterId;
    FWP_VALUE0 effectiveWeight;
} FWPM_FILTER0;

typedef struct {
    GUID providerKey;
    FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    FWP_BYTE_BLOB providerData;
    WCHAR16 *serviceName;
} FWPM_PROVIDER0;

typedef struct {
    GUID subLayerKey;
    FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    GUID *providerKey;
    FWP_BYTE_BLOB providerData;
    uint16_t weight;
} FWPM_SUBLAYER0;

typedef struct { uint32_t algoIdentifier; uint32_t keyLen; uint32_t rounds; } IKEEXT_CIPHER_ALGORITHM0;
typedef struct { uint32_t algoIdentifier; } IKEEXT_INTEGRITY_ALGORITHM0;
typedef struct {
    IKEEXT_CIPHER_ALGORITHM0 cipherAlgorithm;
    IKEEXT_INTEGRITY_ALGORITHM0 integrityAlgorithm;
    uint32_t maxLifetimeSeconds;
    uint32_t dhGroup;
    uint32_t quickModeLimit;
} IKEEXT_PROPOSAL0;

typedef struct { FWP_BYTE_BLOB presharedKey; uint32_t flags; } IKEEXT_PRESHARED_KEY_AUTHENTICATION1;
typedef struct {
    FWP_BYTE_BLOB certData; FWP_BYTE_BLOB certHash; void *eku; void *name; uint32_t flags;
} IKEEXT_CERTIFICATE_CRITERIA0;
typedef struct {
    uint32_t inboundConfigType;
    union {
        struct { uint32_t inboundRootArraySize; IKEEXT_CERTIFICATE_CRITERIA0 *inboundRootCriteria; };
        struct { uint32_t inboundEnterpriseStoreArraySize; void *inboundEnterpriseStoreCriteria; };
        struct { uint32_t inboundRootStoreArraySize; void *inboundTrustedRootStoreCriteria; };
    };
    uint32_t outboundConfigType;
    union {
        struct { uint32_t outboundRootArraySize; IKEEXT_CERTIFICATE_CRITERIA0 *outboundRootCriteria; };
        struct { uint32_t outboundEnterpriseStoreArraySize; void *outboundEnterpriseStoreCriteria; };
        struct { uint32_t outboundRootStoreArraySize; void *outboundTrustedRootStoreCriteria; };
    };
    uint32_t flags;
    FWP_BYTE_BLOB localCertLocationUrl;
} IKEEXT_CERTIFICATE_AUTHENTICATION2;
typedef struct { uint32_t flags; WCHAR16 *proxyServer; } IKEEXT_KERBEROS_AUTHENTICATION1;
typedef struct { uint32_t flags; } IKEEXT_NTLM_V2_AUTHENTICATION0;
typedef struct { uint32_t flags; } IKEEXT_RESERVED_AUTHENTICATION0;
typedef struct { uint32_t flags; } IKEEXT_EAP_AUTHENTICATION0;
typedef struct {
    WCHAR16 *keyContainerName; WCHAR16 *cspName; uint32_t cspType;
    FWP_BYTE_ARRAY16 cgaModifier; uint8_t cgaCollisionCount;
} IKEEXT_IPV6_CGA_AUTHENTICATION0;

typedef struct {
    uint32_t authenticationMethodType;
    union {
        IKEEXT_PRESHARED_KEY_AUTHENTICATION1 presharedKeyAuthentication;
        IKEEXT_CERTIFICATE_AUTHENTICATION2 certificateAuthentication;
        IKEEXT_KERBEROS_AUTHENTICATION1 kerberosAuthentication;
        IKEEXT_RESERVED_AUTHENTICATION0 reservedAuthentication;
        IKEEXT_NTLM_V2_AUTHENTICATION0 ntlmV2Authentication;
        IKEEXT_CERTIFICATE_AUTHENTICATION2 sslAuthentication;
        IKEEXT_IPV6_CGA_AUTHENTICATION0 cgaAuthentication;
        IKEEXT_EAP_AUTHENTICATION0 eapAuthentication;
    };
} IKEEXT_AUTHENTICATION_METHOD2;

typedef struct {
    uint32_t softExpirationTime;
    uint32_t numAuthenticationMethods;
    IKEEXT_AUTHENTICATION_METHOD2 *authenticationMethods;
    uint32_t initiatorImpersonationType;
    uint32_t numIkeProposals;
    IKEEXT_PROPOSAL0 *ikeProposals;
    uint32_t flags;
    uint32_t maxDynamicFilters;
    uint32_t retransmitDurationSecs;
} IKEEXT_POLICY2;

typedef struct {
    uint32_t numAuthenticationMethods;
    IKEEXT_AUTHENTICATION_METHOD2 *authenticationMethods;
    uint32_t initiatorImpersonationType;
} IKEEXT_EM_POLICY2;

typedef struct { uint32_t lifetimeSeconds; uint32_t lifetimeKilobytes; uint32_t lifetimePackets; } IPSEC_SA_LIFETIME0;
typedef struct { uint32_t idleTimeoutSeconds; uint32_t idleTimeoutSecondsFailOver; } IPSEC_SA_IDLE_TIMEOUT0;
typedef struct { uint32_t authType; uint8_t authConfig; } IPSEC_AUTH_TRANSFORM_ID0;
typedef struct { IPSEC_AUTH_TRANSFORM_ID0 authTransformId; GUID *cryptoModuleId; } IPSEC_AUTH_TRANSFORM0;
typedef struct { uint32_t cipherType; uint8_t cipherConfig; } IPSEC_CIPHER_TRANSFORM_ID0;
typedef struct { IPSEC_CIPHER_TRANSFORM_ID0 cipherTransformId; GUID *cryptoModuleId; } IPSEC_CIPHER_TRANSFORM0;
typedef struct { IPSEC_AUTH_TRANSFORM0 authTransform; IPSEC_CIPHER_TRANSFORM0 cipherTransform; } IPSEC_AUTH_AND_CIPHER_TRANSFORM0;
typedef struct {
    uint32_t ipsecTransformType;
    union {
        IPSEC_AUTH_TRANSFORM0 *ahTransform;
        IPSEC_AUTH_TRANSFORM0 *espAuthTransform;
        IPSEC_CIPHER_TRANSFORM0 *espCipherTransform;
        IPSEC_AUTH_AND_CIPHER_TRANSFORM0 *espAuthAndCipherTransform;
        void *espAuthFwTransform;
    };
} IPSEC_SA_TRANSFORM0;
typedef struct {
    IPSEC_SA_LIFETIME0 lifetime;
    uint32_t numSaTransforms;
    IPSEC_SA_TRANSFORM0 *saTransforms;
    uint32_t pfsGroup;
} IPSEC_PROPOSAL0;
typedef struct {
    uint32_t numIpsecProposals;
    IPSEC_PROPOSAL0 *ipsecProposals;
    uint32_t flags;
    uint32_t ndAllowClearTimeoutSeconds;
    IPSEC_SA_IDLE_TIMEOUT0 saIdleTimeout;
    IKEEXT_EM_POLICY2 *emPolicy;
} IPSEC_TRANSPORT_POLICY2;

typedef struct {
    GUID providerContextKey;
    FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    GUID *providerKey;
    FWP_BYTE_BLOB providerData;
    uint32_t type;
    union {
        void *keyingPolicy;
        IPSEC_TRANSPORT_POLICY2 *ikeQmTransportPolicy;
        void *ikeQmTunnelPolicy;
        IPSEC_TRANSPORT_POLICY2 *authipQmTransportPolicy;
        void *authipQmTunnelPolicy;
        IKEEXT_POLICY2 *ikeMmPolicy;
        IKEEXT_POLICY2 *authIpMmPolicy;
        FWP_BYTE_BLOB *dataBuffer;
        void *classifyOptions;
        void *ikeV2QmTunnelPolicy;
        IPSEC_TRANSPORT_POLICY2 *ikeV2QmTransportPolicy;
        IKEEXT_POLICY2 *ikeV2MmPolicy;
        void *idpOptions;
    };
    uint64_t providerContextId;
} FWPM_PROVIDER_CONTEXT2;

typedef struct {
    GUID sessionKey;
    FWPM_DISPLAY_DATA0 displayData;
    uint32_t flags;
    uint32_t txnWaitTimeoutInMSec;
    uint32_t processId;
    void *sid;
    WCHAR16 *username;
    int32_t kernelMode;
} FWPM_SESSION0;

typedef struct {
    GUID *providerKey;
    GUID layerKey;
    uint32_t enumType;
    uint32_t flags;
    void *providerContextTemplate;
    uint32_t numFilterConditions;
    FWPM_FILTER_CONDITION0 *filterCondition;
    uint32_t actionMask;
    GUID *calloutKey;
} FWPM_FILTER_ENUM_TEMPLATE0;

typedef struct { GUID *providerKey; } FWPM_SUBLAYER_ENUM_TEMPLATE0;

typedef struct { GUID *providerKey; uint32_t providerContextType; } FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0;

#endif
