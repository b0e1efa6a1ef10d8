#ifndef KUAIBAO_NODE_DECODING_HANDLER_H_
#define KUAIBAO_NODE_DECODING_HANDLER_H_

#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/byte_buffer.h>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "node/ack_stream_reactor.h"

namespace kuaibao {

// The node's streams take raw bytes and decode each message here, because
// gRPC ends a typed stream as if the peer had closed it when a message does
// not parse: the reactor cannot tell the two apart, and the sender would get
// a clean end and no answer. Decoded here, a message that does not parse is
// answered with its own refusal (INVALID_ARGUMENT) and the stream goes on.

// Answers one decoded message (nullopt: it needs no answer).
template <typename Response>
using TypedReply = std::function<void(std::optional<Response>)>;

template <typename Request, typename Response>
using TypedHandler = std::function<void(Request&&, TypedReply<Response>)>;

// One message, serialized for a raw stream (answers and pushes alike).
template <typename Message>
grpc::ByteBuffer Encoded(const Message& message) {
  grpc::ByteBuffer out;
  bool own = false;
  // Serializing a message we built cannot fail.
  grpc::SerializationTraits<Message>::Serialize(message, &out, &own);
  return out;
}

// Returns a handler for AckStreamReactor<ByteBuffer, ByteBuffer> that decodes
// each message into a `Request` for `handler` and encodes its `Response`;
// `refusal` makes the answer to a message that does not decode.
template <typename Request, typename Response>
typename AckStreamReactor<grpc::ByteBuffer, grpc::ByteBuffer>::Handler
DecodingHandler(TypedHandler<Request, Response> handler,
                std::function<Response(const absl::Status&)> refusal) {
  using Raw = AckStreamReactor<grpc::ByteBuffer, grpc::ByteBuffer>;
  // The messages read on this stream so far: every refusal carries the
  // position of the message it refuses (Rejection.message_index), so that
  // one that did not decode, and so has no report_id, can be matched. The
  // reactor reads one message at a time, so the count needs no lock.
  auto read = std::make_shared<uint64_t>(0);
  return [handler = std::move(handler), refusal = std::move(refusal), read](
             grpc::ByteBuffer&& bytes, Raw::Reply reply) {
    const uint64_t index = ++*read;
    auto encoded = [reply, index](std::optional<Response> response) {
      if (!response.has_value()) return reply(std::nullopt);
      if (response->has_rejection()) {
        response->mutable_rejection()->set_message_index(index);
      }
      reply(Encoded(*response));
    };
    Request request;
    if (!grpc::SerializationTraits<Request>::Deserialize(&bytes, &request)
             .ok()) {
      encoded(refusal(absl::InvalidArgumentError(
          absl::StrCat("the message does not decode as a ",
                       Request::descriptor()->full_name(),
                       " (malformed, or not UTF-8 text)"))));
      return;
    }
    handler(std::move(request), std::move(encoded));
  };
}

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_DECODING_HANDLER_H_
