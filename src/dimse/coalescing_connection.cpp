#include "dimse/coalescing_connection.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

namespace arca::dimse {

CoalescingConnection::CoalescingConnection(DcmNativeSocketType fd,
                                           std::unique_ptr<DcmTransportConnection> inner,
                                           bool plain)
    : DcmTransportConnection(fd), inner_(std::move(inner)), plain_(plain) {
  held_.reserve(kMaxHeld);
}

CoalescingConnection::~CoalescingConnection() {
  flush();
}

bool CoalescingConnection::flush() {
  if (held_.empty())
    return true;
  ++writes_sent_;
  const ssize_t n = inner_->write(held_.data(), held_.size());
  const bool sent = n == static_cast<ssize_t>(held_.size());
  held_.clear();
  return sent;
}

ssize_t CoalescingConnection::write(void* buf, size_t nbyte) {
  const auto* data = static_cast<const std::uint8_t*>(buf);
  if (nbyte < kHoldBelow) {
    if (held_.size() + nbyte > kMaxHeld && !flush())
      return -1;
    held_.insert(held_.end(), data, data + nbyte);
    return static_cast<ssize_t>(nbyte);
  }
  if (held_.empty()) {
    ++writes_sent_;
    return inner_->write(buf, nbyte);
  }
  return send_with_held(data, nbyte) ? static_cast<ssize_t>(nbyte) : -1;
}

bool CoalescingConnection::send_with_held(const std::uint8_t* data, std::size_t size) {
  ++writes_sent_;
  if (!plain_) {
    joined_.assign(held_.begin(), held_.end());
    joined_.insert(joined_.end(), data, data + size);
    held_.clear();
    return inner_->write(joined_.data(), joined_.size()) == static_cast<ssize_t>(joined_.size());
  }
  const std::size_t total = held_.size() + size;
  std::size_t done = 0;
  while (done < total) {
    iovec iov[2];
    int count = 0;
    if (done < held_.size()) {
      iov[count++] = {held_.data() + done, held_.size() - done};
      iov[count++] = {const_cast<std::uint8_t*>(data), size};
    } else {
      iov[count++] = {const_cast<std::uint8_t*>(data) + (done - held_.size()), total - done};
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<std::size_t>(count);
    const ssize_t n = ::sendmsg(getSocket(), &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      held_.clear();
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  held_.clear();
  return true;
}

ssize_t CoalescingConnection::read(void* buf, size_t nbyte) {
  if (!flush())
    return -1;
  return inner_->read(buf, nbyte);
}

OFBool CoalescingConnection::networkDataAvailable(int timeout) {
  if (!flush())
    return OFTrue;  // the read that follows reports the failure
  return inner_->networkDataAvailable(timeout);
}

OFBool CoalescingConnection::isTransparentConnection() {
  flush();
  return inner_->isTransparentConnection();
}

OFCondition CoalescingConnection::renegotiate(const char* suite) {
  flush();
  return inner_->renegotiate(suite);
}

void CoalescingConnection::close() {
  flush();
  inner_->close();
}

void CoalescingConnection::closeTransportConnection() {
  flush();
  inner_->closeTransportConnection();
}

DcmTransportConnection* CoalescingLayer::createConnection(DcmNativeSocketType fd, OFBool secure) {
  std::unique_ptr<DcmTransportConnection> inner;
  if (secure) {
    if (tls_ == nullptr)
      return nullptr;
    inner.reset(tls_->createConnection(fd, OFTrue));
  } else {
    inner = std::make_unique<DcmTCPConnection>(fd);
  }
  if (!inner)
    return nullptr;
  // Owned by DCMTK, which deletes it with the association.
  return new CoalescingConnection(fd, std::move(inner), !secure);
}

}  // namespace arca::dimse
