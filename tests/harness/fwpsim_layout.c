/* Prints struct,field,offset,size for every struct of fwpsim_types.h (the stand-in's own
 * layout self-check; compared with structs.csv by tests/unit/host/test_layouts.py). */
#include <stddef.h>
#include <stdio.h>
#include "fwpsim_types.h"

#define S(T) printf("%s,,,%zu\n", #T, sizeof(T))
#define F(T, m) printf("%s,%s,%zu,%zu\n", #T, #m, offsetof(T, m), sizeof(((T *)0)->m))

int main(void)
{
    S(FWP_BYTE_BLOB); F(FWP_BYTE_BLOB, size); F(FWP_BYTE_BLOB, data);
    S(FWP_BYTE_ARRAY16); F(FWP_BYTE_ARRAY16, byteArray16);
    S(FWP_BYTE_ARRAY6); F(FWP_BYTE_ARRAY6, byteArray6);
    S(FWP_V4_ADDR_AND_MASK); F(FWP_V4_ADDR_AND_MASK, addr); F(FWP_V4_ADDR_AND_MASK, mask);
    S(FWP_V6_ADDR_AND_MASK); F(FWP_V6_ADDR_AND_MASK, addr); F(FWP_V6_ADDR_AND_MASK, prefixLength);
#define VALUE_ARMS(T) F(T, type); F(T, uint8); F(T, uint16); F(T, uint32); F(T, uint64); F(T, int8); \
    F(T, int16); F(T, int32); F(T, int64); F(T, float32); F(T, double64); F(T, byteArray16); \
    F(T, byteBlob); F(T, sid); F(T, sd); F(T, tokenInformation); F(T, tokenAccessInformation); \
    F(T, unicodeString); F(T, byteArray6); F(T, bitmapArray64)
    S(FWP_VALUE0); VALUE_ARMS(FWP_VALUE0);
    S(FWP_CONDITION_VALUE0); VALUE_ARMS(FWP_CONDITION_VALUE0);
    F(FWP_CONDITION_VALUE0, v4AddrMask); F(FWP_CONDITION_VALUE0, v6AddrMask); F(FWP_CONDITION_VALUE0, rangeValue);
    S(FWP_RANGE0); F(FWP_RANGE0, valueLow); F(FWP_RANGE0, valueHigh);
    S(FWPM_DISPLAY_DATA0); F(FWPM_DISPLAY_DATA0, name); F(FWPM_DISPLAY_DATA0, description);
    S(FWPM_FILTER_CONDITION0); F(FWPM_FILTER_CONDITION0, fieldKey); F(FWPM_FILTER_CONDITION0, matchType);
    F(FWPM_FILTER_CONDITION0, conditionValue);
    S(FWPM_ACTION0); F(FWPM_ACTION0, type); F(FWPM_ACTION0, filterType); F(FWPM_ACTION0, calloutKey);
    F(FWPM_ACTION0, bitmapIndex);
    S(FWPM_FILTER0); F(FWPM_FILTER0, filterKey); F(FWPM_FILTER0, displayData); F(FWPM_FILTER0, flags);
    F(FWPM_FILTER0, providerKey); F(FWPM_FILTER0, providerData); F(FWPM_FILTER0, layerKey);
    F(FWPM_FILTER0, subLayerKey); F(FWPM_FILTER0, weight); F(FWPM_FILTER0, numFilterConditions);
    F(FWPM_FILTER0, filterCondition); F(FWPM_FILTER0, action); F(FWPM_FILTER0, rawContext);
    F(FWPM_FILTER0, providerContextKey); F(FWPM_FILTER0, reserved); F(FWPM_FILTER0, filterId);
    F(FWPM_FILTER0, effectiveWeight);
    S(FWPM_PROVIDER0); F(FWPM_PROVIDER0, providerKey); F(FWPM_PROVIDER0, displayData);
    F(FWPM_PROVIDER0, flags); F(FWPM_PROVIDER0, providerData); F(FWPM_PROVIDER0, serviceName);
    S(FWPM_SUBLAYER0); F(FWPM_SUBLAYER0, subLayerKey); F(FWPM_SUBLAYER0, displayData);
    F(FWPM_SUBLAYER0, flags); F(FWPM_SUBLAYER0, providerKey); F(FWPM_SUBLAYER0, providerData);
    F(FWPM_SUBLAYER0, weight);
    S(IKEEXT_CIPHER_ALGORITHM0); F(IKEEXT_CIPHER_ALGORITHM0, algoIdentifier); F(IKEEXT_CIPHER_ALGORITHM0, keyLen);
    F(IKEEXT_CIPHER_ALGORITHM0, rounds);
    S(IKEEXT_INTEGRITY_ALGORITHM0); F(IKEEXT_INTEGRITY_ALGORITHM0, algoIdentifier);
    S(IKEEXT_PROPOSAL0); F(IKEEXT_PROPOSAL0, cipherAlgorithm); F(IKEEXT_PROPOSAL0, integrityAlgorithm);
    F(IKEEXT_PROPOSAL0, maxLifetimeSeconds); F(IKEEXT_PROPOSAL0, dhGroup); F(IKEEXT_PROPOSAL0, quickModeLimit);
    S(IKEEXT_PRESHARED_KEY_AUTHENTICATION1); F(IKEEXT_PRESHARED_KEY_AUTHENTICATION1, presharedKey);
    F(IKEEXT_PRESHARED_KEY_AUTHENTICATION1, flags);
    S(IKEEXT_CERTIFICATE_CRITERIA0); F(IKEEXT_CERTIFICATE_CRITERIA0, certData); F(IKEEXT_CERTIFICATE_CRITERIA0, certHash);
    F(IKEEXT_CERTIFICATE_CRITERIA0, eku); F(IKEEXT_CERTIFICATE_CRITERIA0, name); F(IKEEXT_CERTIFICATE_CRITERIA0, flags);
    S(IKEEXT_CERTIFICATE_AUTHENTICATION2); F(IKEEXT_CERTIFICATE_AUTHENTICATION2, inboundConfigType);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, inboundRootArraySize); F(IKEEXT_CERTIFICATE_AUTHENTICATION2, inboundRootCriteria);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, inboundEnterpriseStoreArraySize);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, inboundEnterpriseStoreCriteria);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, inboundRootStoreArraySize);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, inboundTrustedRootStoreCriteria);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, outboundConfigType);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, outboundRootArraySize); F(IKEEXT_CERTIFICATE_AUTHENTICATION2, outboundRootCriteria);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, outboundEnterpriseStoreArraySize);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, outboundEnterpriseStoreCriteria);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, outboundRootStoreArraySize);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, outboundTrustedRootStoreCriteria);
    F(IKEEXT_CERTIFICATE_AUTHENTICATION2, flags); F(IKEEXT_CERTIFICATE_AUTHENTICATION2, localCertLocationUrl);
    S(IKEEXT_KERBEROS_AUTHENTICATION1); F(IKEEXT_KERBEROS_AUTHENTICATION1, flags); F(IKEEXT_KERBEROS_AUTHENTICATION1, proxyServer);
    S(IKEEXT_NTLM_V2_AUTHENTICATION0); F(IKEEXT_NTLM_V2_AUTHENTICATION0, flags);
    S(IKEEXT_RESERVED_AUTHENTICATION0); F(IKEEXT_RESERVED_AUTHENTICATION0, flags);
    S(IKEEXT_EAP_AUTHENTICATION0); F(IKEEXT_EAP_AUTHENTICATION0, flags);
    S(IKEEXT_IPV6_CGA_AUTHENTICATION0); F(IKEEXT_IPV6_CGA_AUTHENTICATION0, keyContainerName);
    F(IKEEXT_IPV6_CGA_AUTHENTICATION0, cspName); F(IKEEXT_IPV6_CGA_AUTHENTICATION0, cspType);
    F(IKEEXT_IPV6_CGA_AUTHENTICATION0, cgaModifier); F(IKEEXT_IPV6_CGA_AUTHENTICATION0, cgaCollisionCount);
    S(IKEEXT_AUTHENTICATION_METHOD2); F(IKEEXT_AUTHENTICATION_METHOD2, authenticationMethodType);
    F(IKEEXT_AUTHENTICATION_METHOD2, presharedKeyAuthentication); F(IKEEXT_AUTHENTICATION_METHOD2, certificateAuthentication);
    F(IKEEXT_AUTHENTICATION_METHOD2, kerberosAuthentication); F(IKEEXT_AUTHENTICATION_METHOD2, reservedAuthentication);
    F(IKEEXT_AUTHENTICATION_METHOD2, ntlmV2Authentication); F(IKEEXT_AUTHENTICATION_METHOD2, sslAuthentication);
    F(IKEEXT_AUTHENTICATION_METHOD2, cgaAuthentication); F(IKEEXT_AUTHENTICATION_METHOD2, eapAuthentication);
    S(IKEEXT_POLICY2); F(IKEEXT_POLICY2, softExpirationTime); F(IKEEXT_POLICY2, numAuthenticationMethods);
    F(IKEEXT_POLICY2, authenticationMethods); F(IKEEXT_POLICY2, initiatorImpersonationType);
    F(IKEEXT_POLICY2, numIkeProposals); F(IKEEXT_POLICY2, ikeProposals); F(IKEEXT_POLICY2, flags);
    F(IKEEXT_POLICY2, maxDynamicFilters); F(IKEEXT_POLICY2, retransmitDurationSecs);
    S(IKEEXT_EM_POLICY2); F(IKEEXT_EM_POLICY2, numAuthenticationMethods); F(IKEEXT_EM_POLICY2, authenticationMethods);
    F(IKEEXT_EM_POLICY2, initiatorImpersonationType);
    S(IPSEC_SA_LIFETIME0); F(IPSEC_SA_LIFETIME0, lifetimeSeconds); F(IPSEC_SA_LIFETIME0, lifetimeKilobytes);
    F(IPSEC_SA_LIFETIME0, lifetimePackets);
    S(IPSEC_SA_IDLE_TIMEOUT0); F(IPSEC_SA_IDLE_TIMEOUT0, idleTimeoutSeconds); F(IPSEC_SA_IDLE_TIMEOUT0, idleTimeoutSecondsFailOver);
    S(IPSEC_AUTH_TRANSFORM_ID0); F(IPSEC_AUTH_TRANSFORM_ID0, authType); F(IPSEC_AUTH_TRANSFORM_ID0, authConfig);
    S(IPSEC_AUTH_TRANSFORM0); F(IPSEC_AUTH_TRANSFORM0, authTransformId); F(IPSEC_AUTH_TRANSFORM0, cryptoModuleId);
    S(IPSEC_CIPHER_TRANSFORM_ID0); F(IPSEC_CIPHER_TRANSFORM_ID0, cipherType); F(IPSEC_CIPHER_TRANSFORM_ID0, cipherConfig);
    S(IPSEC_CIPHER_TRANSFORM0); F(IPSEC_CIPHER_TRANSFORM0, cipherTransformId); F(IPSEC_CIPHER_TRANSFORM0, cryptoModuleId);
    S(IPSEC_AUTH_AND_CIPHER_TRANSFORM0); F(IPSEC_AUTH_AND_CIPHER_TRANSFORM0, authTransform);
    F(IPSEC_AUTH_AND_CIPHER_TRANSFORM0, cipherTransform);
    S(IPSEC_SA_TRANSFORM0); F(IPSEC_SA_TRANSFORM0, ipsecTransformType); F(IPSEC_SA_TRANSFORM0, ahTransform);
    F(IPSEC_SA_TRANSFORM0, espAuthTransform); F(IPSEC_SA_TRANSFORM0, espCipherTransform);
    F(IPSEC_SA_TRANSFORM0, espAuthAndCipherTransform); F(IPSEC_SA_TRANSFORM0, espAuthFwTransform);
    S(IPSEC_PROPOSAL0); F(IPSEC_PROPOSAL0, lifetime); F(IPSEC_PROPOSAL0, numSaTransforms);
    F(IPSEC_PROPOSAL0, saTransforms); F(IPSEC_PROPOSAL0, pfsGroup);
    S(IPSEC_TRANSPORT_POLICY2); F(IPSEC_TRANSPORT_POLICY2, numIpsecProposals); F(IPSEC_TRANSPORT_POLICY2, ipsecProposals);
    F(IPSEC_TRANSPORT_POLICY2, flags); F(IPSEC_TRANSPORT_POLICY2, ndAllowClearTimeoutSeconds);
    F(IPSEC_TRANSPORT_POLICY2, saIdleTimeout); F(IPSEC_TRANSPORT_POLICY2, emPolicy);
    S(FWPM_PROVIDER_CONTEXT2); F(FWPM_PROVIDER_CONTEXT2, providerContextKey); F(FWPM_PROVIDER_CONTEXT2, displayData);
    F(FWPM_PROVIDER_CONTEXT2, flags); F(FWPM_PROVIDER_CONTEXT2, providerKey); F(FWPM_PROVIDER_CONTEXT2, providerData);
    F(FWPM_PROVIDER_CONTEXT2, type); F(FWPM_PROVIDER_CONTEXT2, keyingPolicy); F(FWPM_PROVIDER_CONTEXT2, ikeQmTransportPolicy);
    F(FWPM_PROVIDER_CONTEXT2, ikeQmTunnelPolicy); F(FWPM_PROVIDER_CONTEXT2, authipQmTransportPolicy);
    F(FWPM_PROVIDER_CONTEXT2, authipQmTunnelPolicy); F(FWPM_PROVIDER_CONTEXT2, ikeMmPolicy);
    F(FWPM_PROVIDER_CONTEXT2, authIpMmPolicy); F(FWPM_PROVIDER_CONTEXT2, dataBuffer);
    F(FWPM_PROVIDER_CONTEXT2, classifyOptions); F(FWPM_PROVIDER_CONTEXT2, ikeV2QmTunnelPolicy);
    F(FWPM_PROVIDER_CONTEXT2, ikeV2QmTransportPolicy); F(FWPM_PROVIDER_CONTEXT2, ikeV2MmPolicy);
    F(FWPM_PROVIDER_CONTEXT2, idpOptions); F(FWPM_PROVIDER_CONTEXT2, providerContextId);
    S(FWPM_SESSION0); F(FWPM_SESSION0, sessionKey); F(FWPM_SESSION0, displayData); F(FWPM_SESSION0, flags);
    F(FWPM_SESSION0, txnWaitTimeoutInMSec); F(FWPM_SESSION0, processId); F(FWPM_SESSION0, sid);
    F(FWPM_SESSION0, username); F(FWPM_SESSION0, kernelMode);
    S(FWPM_FILTER_ENUM_TEMPLATE0); F(FWPM_FILTER_ENUM_TEMPLATE0, providerKey); F(FWPM_FILTER_ENUM_TEMPLATE0, layerKey);
    F(FWPM_FILTER_ENUM_TEMPLATE0, enumType); F(FWPM_FILTER_ENUM_TEMPLATE0, flags);
    F(FWPM_FILTER_ENUM_TEMPLATE0, providerContextTemplate); F(FWPM_FILTER_ENUM_TEMPLATE0, numFilterConditions);
    F(FWPM_FILTER_ENUM_TEMPLATE0, filterCondition); F(FWPM_FILTER_ENUM_TEMPLATE0, actionMask);
    F(FWPM_FILTER_ENUM_TEMPLATE0, calloutKey);
    return 0;
}
