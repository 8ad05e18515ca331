// Internal to dimse/: a listening TCP socket and the thread that accepts on it. Arca owns the
// accept loop (DESIGN §3: DcmSCPPool rejects when full and default-constructs its workers), so
// an accepted connection is handed straight to a worker and nothing a peer does (or fails to
// do) can hold up the next accept.
// Thread-safety: start() once; the callback runs on the accept thread and must not block.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/result.h"

namespace arca::dimse {

struct AcceptedSocket {
  int fd = -1;          // owned by whoever receives it
  std::string address;  // numeric peer address, e.g. "127.0.0.1"
  int port = 0;
  bool tls = false;  // arrived on the DICOM TLS listener
};

class TcpListener {
 public:
  // Binds `bind_address`:`port` (port 0: an ephemeral port) and listens.
  static Result<std::unique_ptr<TcpListener>> open(const std::string& bind_address, int port);
  explicit TcpListener(int fd);
  ~TcpListener();  // stops the accept thread and closes the socket
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  int port() const;
  void start(std::function<void(AcceptedSocket)> on_accept);
  void stop();

 private:
  void run(const std::stop_token& stop);

  int fd_;
  std::function<void(AcceptedSocket)> on_accept_;
  std::jthread thread_;
};

}  // namespace arca::dimse
