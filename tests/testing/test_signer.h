#ifndef KUAIBAO_TESTS_TESTING_TEST_SIGNER_H_
#define KUAIBAO_TESTS_TESTING_TEST_SIGNER_H_

#include <memory>

#include "relay/receipt_signer.h"

namespace kuaibao::testing {

// A node's receipt signer with a fresh key and self-signed certificate
// (ECDSA P-256, as certs/pki.sh makes them), read from PEM as a node reads
// its own: each call a different signer and certificate. nullptr (and a
// test failure) if OpenSSL or ReceiptSigner refuses.
std::unique_ptr<ReceiptSigner> MakeTestSigner();

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_TESTING_TEST_SIGNER_H_
