#include "service/peer.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <mutex>

namespace casecall::service {

namespace {

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Where a GET's body goes: the file for a 200, else the string (an error's problem+json).
struct sink {
  CURL* curl = nullptr;
  std::FILE* file = nullptr;
  std::string* text = nullptr;
};

std::size_t write_out(char* data, std::size_t size, std::size_t count, void* user) {
  auto* s = static_cast<sink*>(user);
  long status = 0;
  curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status == 200) return std::fwrite(data, size, count, s->file) * size;
  s->text->append(data, size * count);
  return size * count;
}

using curl_ptr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using list_ptr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

curl_ptr new_handle() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return curl_ptr(curl_easy_init(), &curl_easy_cleanup);
}

// Performs the prepared request with the token and the timeouts; fills status, content type
// or error.
void perform(CURL* curl, const std::string& url, const std::string& token, list_ptr& headers, std::chrono::seconds timeout,
             peer_response& out) {
  headers.reset(curl_slist_append(headers.release(), ("Authorization: Bearer " + token).c_str()));
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  auto rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    out.error = error[0] ? std::string(error) : std::string(curl_easy_strerror(rc));
    return;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  char* type = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) out.content_type = type;
}

}  // namespace

peer_response put_json(const std::string& url, const std::string& token, const std::string& body,
                       std::chrono::seconds timeout) {
  peer_response out;
  auto curl = new_handle();
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  list_ptr headers(curl_slist_append(nullptr, "Content-Type: application/json"), &curl_slist_free_all);
  headers.reset(curl_slist_append(headers.release(), "Expect:"));
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  perform(curl.get(), url, token, headers, timeout, out);
  return out;
}

peer_response get(const std::string& url, const std::string& token, std::chrono::seconds timeout) {
  peer_response out;
  auto curl = new_handle();
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  list_ptr headers(curl_slist_append(nullptr, "Accept: application/json"), &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  perform(curl.get(), url, token, headers, timeout, out);
  return out;
}

peer_response get_to_file(const std::string& url, const std::string& token, const std::string& path,
                          std::chrono::seconds timeout) {
  peer_response out;
  auto curl = new_handle();
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) {
    out.error = "cannot write " + path;
    return out;
  }
  sink s{curl.get(), file.get(), &out.body};
  list_ptr headers(nullptr, &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &write_out);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &s);
  perform(curl.get(), url, token, headers, timeout, out);
  if (std::fflush(file.get()) != 0 && out.error.empty()) out.error = "cannot write " + path;
  return out;
}

}  // namespace casecall::service
