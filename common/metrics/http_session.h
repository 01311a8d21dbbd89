#pragma once

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "common/metrics/http_message.h"
#include "common/metrics/http_routes.h"

namespace tailor::common {

// What every connection of one server shares: set up before it serves, read-only after, but
// for the count of open connections.
struct HttpServerContext {
  const HttpRoutes& routes;
  boost::asio::thread_pool& workers;
  std::chrono::milliseconds idle_timeout;
  std::chrono::milliseconds request_timeout;
  std::size_t max_body_bytes;
  std::function<void()> connection_closed;
  // The budget of body bytes in flight (HttpEndpointOptions::max_body_bytes_in_flight): take
  // returns false, and counts, when `bytes` more would pass it.
  std::function<bool(std::size_t bytes)> take_body_bytes;
  std::function<void(std::size_t bytes)> give_back_body_bytes;
};

// One connection, plain (boost::beast::tcp_stream) or TLS (ssl_stream over one). It runs on its
// own strand of the server's io_context: reading and writing never block a thread, and
// handlers run on the server's workers, so a slow handler holds neither the loop nor a reader.
// A kept connection waits for its next request's first byte up to the idle timeout; from that
// byte, its headers and body have the request timeout (a streamed body gets it anew once its
// headers are admitted, as admitting may wait for a TokenReview), and so does the answer.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

  template <class... Args>
  explicit HttpSession(const HttpServerContext& context, Args&&... args)
      : context_(context), stream_(std::forward<Args>(args)...) {}
  ~HttpSession() {
    give_back_body();
    context_.connection_closed();
  }

  void run() {
    boost::asio::dispatch(lowest().get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->wait_for_request();
      }
    });
  }

 private:
  using Self = HttpSession<Stream>;
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  // Far above a request's real headers (an agent's are under 1 KiB), small enough per connection.
  static constexpr std::uint32_t kHeaderLimit = 16 << 10;
  static constexpr std::size_t kFirstRead = 4096;

  boost::beast::tcp_stream& lowest() { return boost::beast::get_lowest_layer(stream_); }

  void handshake() {
    lowest().expires_after(context_.request_timeout);
    stream_.async_handshake(boost::asio::ssl::stream_base::server,
                            [self = this->shared_from_this()](boost::beast::error_code ec) {
                              if (ec) return;
                              self->verified_ = verified(self->stream_.native_handle());
                              self->wait_for_request();
                            });
  }

  static bool verified(SSL* ssl) {
    X509* peer = SSL_get_peer_certificate(ssl);
    if (peer == nullptr) return false;
    X509_free(peer);
    return SSL_get_verify_result(ssl) == X509_V_OK;
  }

  void wait_for_request() {
    if (buffer_.size() > 0) return read_header();
    lowest().expires_after(context_.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kFirstRead),
        [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t n) {
          if (ec) return;
          self->buffer_.commit(n);
          self->read_header();
        });
  }

  void read_header() {
    lowest().expires_after(context_.request_timeout);
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // The route's limit is set once the route is known; the announced length is checked then.
    // (Not boost::none: Beast 1.74 compares a Content-Length with it as with 0.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::beast::http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
          if (!ec) self->on_header();
        });
  }

  void on_header() {
    const auto& message = parser_->get();
    request_ = HttpRequest{};
    request_.method = std::string(message.method_string());
    const std::string_view target(message.target().data(), message.target().size());
    request_.path = percent_decode(target.substr(0, target.find('?')));
    for (const auto& field : message)
      request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    request_.verified_client_cert = verified_;
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    response_ = HttpResponse{};
    body_handler_ = nullptr;
    route_ = context_.routes.find(request_.method, request_.path);
    if (route_ != nullptr && route_->admit) {
      on_workers([this] { body_handler_ = route_->admit(request_, response_); },
                 [this] { admitted(); });
      return;
    }
    read_body(context_.max_body_bytes, false, [this](BodyRead read) {
      if (read == BodyRead::too_large) {
        response_.status = 413;
        response_.set_content(
            "the body exceeds " + std::to_string(context_.max_body_bytes) + " bytes\n",
            "text/plain");
        return answer(true);
      }
      if (read == BodyRead::cut_short) return;
      if (route_ == nullptr) {
        response_.status = 404;
        return answer(false);
      }
      on_workers([this] { route_->handler(request_, response_); }, [this] { answer(false); });
    });
  }

  void admitted() {
    if (!body_handler_) {
      // A refused body is read up to the limit and dropped, so the client reads its answer
      // rather than a reset connection.
      return read_body(route_->body_limit, true,
                       [this](BodyRead read) { answer(read != BodyRead::complete); });
    }
    read_body(route_->body_limit, true, [this](BodyRead read) {
      on_workers([this, read] { body_handler_(request_, read, response_); },
                 [this, read] { answer(read != BodyRead::complete); });
    });
  }

  bool announced_past(std::size_t limit) const {
    const auto length = parser_->content_length();
    return length && *length > limit;
  }

  // Reads the body up to `limit` (whatever the transfer encoding: the parser counts chunks
  // too) into request_.body, then calls `then` on the strand.
  // A Content-Length past the limit is read and dropped, not kept, within the deadline:
  // clients such as cpp-httplib send the whole body before they read the answer.
  void read_body(std::size_t limit, bool new_deadline, std::function<void(BodyRead)> then) {
    if (new_deadline) lowest().expires_after(context_.request_timeout);
    if (announced_past(limit)) return drop(*parser_->content_length(), std::move(then));
    if (parser_->is_done()) {
      request_.body = parser_->release().body();
      return then(BodyRead::complete);
    }
    const auto length = parser_->content_length();
    const std::size_t needed = length ? *length : limit;
    if (!context_.take_body_bytes(needed)) {
      const auto busy = [this](BodyRead read) {
        if (read == BodyRead::cut_short) return;
        response_ = HttpResponse{};
        response_.status = 503;
        response_.set_header("Retry-After", "1");
        response_.set_content("too many request bodies are being read: retry\n", "text/plain");
        answer(true);
      };
      // Unread but dropped when its length is known, so the client reads the answer.
      return length ? drop(*length, busy) : busy(BodyRead::too_large);
    }
    body_taken_ = needed;
    parser_->body_limit(limit);
    boost::beast::http::async_read(stream_, buffer_, *parser_,
                                   [self = this->shared_from_this(), then = std::move(then)](
                                       boost::beast::error_code ec, std::size_t) {
                                     if (!ec) {
                                       self->request_.body = self->parser_->release().body();
                                       return then(BodyRead::complete);
                                     }
                                     then(ec == boost::beast::http::error::body_limit
                                              ? BodyRead::too_large
                                              : BodyRead::cut_short);
                                   });
  }

  // Reads and drops a body of `length` bytes, then calls `then` with too_large (cut_short when
  // the connection ended first).
  void drop(std::uint64_t length, std::function<void(BodyRead)> then) {
    const std::size_t held = std::min<std::uint64_t>(buffer_.size(), length);
    buffer_.consume(held);
    skip(length - held, std::move(then));
  }

  void skip(std::uint64_t left, std::function<void(BodyRead)> then) {
    if (left == 0) return then(BodyRead::too_large);
    const std::size_t chunk = std::min<std::uint64_t>(left, kFirstRead * 4);
    stream_.async_read_some(buffer_.prepare(chunk),
                            [self = this->shared_from_this(), left, then = std::move(then)](
                                boost::beast::error_code ec, std::size_t n) mutable {
                              if (ec) return then(BodyRead::cut_short);
                              self->buffer_.commit(n);
                              self->buffer_.consume(n);
                              self->skip(left - n, std::move(then));
                            });
  }

  // Runs `work` on a worker (a handler that throws answers 500), then `then` on the strand.
  // The session is kept alive by the posted functions; between them nothing else touches it.
  void on_workers(std::function<void()> work, std::function<void()> then) {
    boost::asio::post(context_.workers, [self = this->shared_from_this(), work = std::move(work),
                                         then = std::move(then)]() mutable {
      try {
        work();
      } catch (const std::exception& e) {
        self->fail(e.what());
      } catch (...) {
        self->fail("unknown error");
      }
      boost::asio::post(self->lowest().get_executor(), [self, then = std::move(then)] { then(); });
    });
  }

  void fail(const std::string& what) {
    body_handler_ = nullptr;
    response_ = HttpResponse{};
    response_.status = 500;
    response_.set_content("internal error: " + what + "\n", "text/plain");
  }

  void answer(bool close) {
    namespace http = boost::beast::http;
    out_ = {};
    out_.version(version_);
    out_.result(static_cast<unsigned>(response_.status));
    for (const auto& [name, value] : response_.headers) out_.insert(name, value);
    if (!response_.content_type.empty())
      out_.set(http::field::content_type, response_.content_type);
    out_.body() = std::move(response_.body);
    out_.keep_alive(keep_alive_ && !close);
    out_.prepare_payload();
    lowest().expires_after(context_.request_timeout);
    http::async_write(stream_, out_,
                      [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!self->out_.keep_alive()) return self->shut_down();
                        self->release_request();
                        self->wait_for_request();
                      });
  }

  // A kept connection waits, maybe for long, holding none of its last request and answer:
  // thousands of agents stay connected between rounds, each having sent a batch. Exchanged,
  // not assigned: assigning an empty string keeps the old one's buffer.
  void release_request() {
    parser_.reset();
    (void)std::exchange(request_, {});
    (void)std::exchange(response_, {});
    (void)std::exchange(out_, {});
    body_handler_ = nullptr;
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
    give_back_body();
  }

  void give_back_body() {
    if (body_taken_ == 0) return;
    context_.give_back_body_bytes(body_taken_);
    body_taken_ = 0;
  }

  void shut_down() {
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = this->shared_from_this()](boost::beast::error_code) {});
    } else {
      boost::beast::error_code ignored;
      lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    }
  }

  const HttpServerContext& context_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  bool verified_ = false;
  std::size_t body_taken_ = 0;  // of the budget of body bytes in flight
  unsigned version_ = 11;
  bool keep_alive_ = true;
  HttpRequest request_;
  HttpResponse response_;
  const HttpRoute* route_ = nullptr;
  BodyHandler body_handler_;
  boost::beast::http::response<boost::beast::http::string_body> out_;
};

}  // namespace tailor::common
