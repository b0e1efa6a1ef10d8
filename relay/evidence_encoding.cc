#include "relay/evidence_encoding.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace kuaibao {
namespace {

void Field(absl::string_view value, std::string* out) {
  absl::StrAppend(out, value.size(), ":", value);
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  return absl::StrFormat("%d.%09d", t.seconds(), t.nanos());
}

}  // namespace

std::string ReportBytes(const IncidentReport& report) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    report.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string ReceiptSigningBytes(const Receipt& r) {
  std::string out = "kuaibao-receipt-v1\n";
  for (absl::string_view value :
       {absl::string_view(r.report_id()), absl::string_view(r.report_digest()),
        absl::string_view(r.sender()), absl::string_view(r.node())}) {
    Field(value, &out);
  }
  Field(TimeText(r.received_at()), &out);
  Field(TimeText(r.stored_at()), &out);
  Field(absl::StrCat(r.chain_seq()), &out);
  Field(r.chain_hash(), &out);
  return out;
}

std::string HopChainBytes(uint64_t seq, const std::string& report_id,
                          const std::string& report_digest,
                          const HopRecord& hop) {
  std::string out = "kuaibao-hop-v1\n";
  Field(absl::StrCat(seq), &out);
  Field(report_id, &out);
  Field(report_digest, &out);
  Field(hop.node(), &out);
  Field(hop.received_from(), &out);
  Field(TimeText(hop.received_at()), &out);
  Field(TimeText(hop.stored_at()), &out);
  return out;
}

std::string SignerChainBytes(
    const google::protobuf::RepeatedPtrField<std::string>& certs) {
  std::string out = "kuaibao-signer-chain-v1\n";
  for (const std::string& der : certs) Field(der, &out);
  return out;
}

std::string ChainHash(const std::string& prev_hash, absl::string_view record) {
  return Sha256Hex(absl::StrCat(prev_hash, record));
}

const std::string& ChainGenesis() {
  static const std::string* const kGenesis = new std::string(64, '0');
  return *kGenesis;
}

}  // namespace kuaibao
