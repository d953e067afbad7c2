// `searcher serve`: routes, the pool of index handles, errors → HTTP status, and the server's
// lifecycle (listen, signals, shutdown). Parameters are http_params.cpp's, results and their
// JSON those of the CLI (results_json.cpp), the page's files web_assets.cpp's.
#include "serve.hpp"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <semaphore>
#include <thread>

#include "errors.hpp"
#include "http_params.hpp"
#include "index.hpp"
#include "lookups.hpp"
#include "prior.hpp"
#include "related.hpp"
#include "render.hpp"
#include "search.hpp"
#include "web_assets.hpp"

namespace news {

namespace {

using nlohmann::json;

// Index handles, one per request in flight (Xapian::Database is not thread-safe), opened on
// first need and kept; each is brought to the latest commit (or the index swapped in by
// `indexer --full` or `--compact`) when taken.
//
// With --allow-partial a handle can lack shards (down when it was opened, or dropped when they
// stopped answering). Such a handle tries them again when taken: a local shard directory that
// was missing is noticed at once (replaced_on_disk), anything else (a remote shard, an
// unreadable directory) by opening the handle again by path, which one request at a time does,
// at most once a second at first and then at doubling intervals up to every 30 s while the
// shards stay down (an unreachable host can hold that request up to the connect timeout, 5 s).
// Once shards are back, every other handle lacking shards opens again when next taken.
class IndexPool {
  public:
    IndexPool(std::vector<std::string> specs, bool allow_partial)
        : specs_(std::move(specs)), allow_partial_(allow_partial) {}

    // A handle and the pool's recovery count when it was opened (see take()).
    struct Handle {
        std::unique_ptr<OpenedIndex> index;
        std::uint64_t recoveries = 0;
    };

    class Lease {
      public:
        Lease(IndexPool& pool, Handle h) : pool_(pool), h_(std::move(h)) {}
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() {
            if (h_.index && !broken_) pool_.give_back(std::move(h_));
        }
        OpenedIndex& operator*() { return *h_.index; }
        // After an unexpected error the handle is not reused.
        void broken() { broken_ = true; }

      private:
        IndexPool& pool_;
        Handle h_;
        bool broken_ = false;
    };

    // A handle at the latest commit, to be held by a Lease. Throws IndexError (or a Xapian error)
    // when the index cannot be opened.
    Handle take() {
        Handle h;
        bool probe = false;  // this request tries the missing shards again for the pool
        std::uint64_t recoveries = 0;
        std::vector<Handle> stale;  // closed outside the lock
        {
            std::lock_guard<std::mutex> lock(m_);
            // Idle handles on an index that was replaced (indexer --full, --compact) would keep
            // the old copy open, and its disk space taken, until they are used again: drop them.
            DiskIds now;
            for (auto it = free_.begin(); it != free_.end();) {
                if (replaced_on_disk(*it->index, &now)) {
                    stale.push_back(std::move(*it));
                    it = free_.erase(it);
                } else {
                    ++it;
                }
            }
            if (!free_.empty()) {
                h = std::move(free_.back());
                free_.pop_back();
            }
            recoveries = recoveries_;
            if (h.index && !h.index->missing.empty() && h.recoveries == recoveries_ && !probing_ &&
                Clock::now() >= next_probe_) {
                probe = probing_ = true;
            }
        }
        if (!h.index)
            return {std::make_unique<OpenedIndex>(open_indexes(specs_, allow_partial_)),
                    recoveries};
        if (h.index->missing.empty() || (h.recoveries == recoveries && !probe)) {
            refresh(*h.index);
            return h;
        }
        return reopen_lacking(std::move(h), probe);
    }

  private:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kFirstProbe = std::chrono::seconds(1);
    static constexpr auto kMaxProbe = std::chrono::seconds(30);

    // `h` lacks shards: open it again by path. When this is the pool's probe, the next one is
    // scheduled (at once when shards came back, else after a doubled interval), and shards that
    // came back make every other handle lacking some open again.
    Handle reopen_lacking(Handle h, bool probe) {
        struct Done {  // the probe ends even when opening throws
            IndexPool& pool;
            bool probe, recovered = false;
            ~Done() {
                if (!probe) return;
                std::lock_guard<std::mutex> lock(pool.m_);
                pool.probing_ = false;
                pool.probe_interval_ = recovered
                                           ? Clock::duration::zero()
                                           : std::clamp<Clock::duration>(pool.probe_interval_ * 2,
                                                                         kFirstProbe, kMaxProbe);
                pool.next_probe_ = Clock::now() + pool.probe_interval_;
            }
        } done{*this, probe};
        const std::size_t lacking = h.index->missing.size();
        auto fresh = std::make_unique<OpenedIndex>(open_indexes(specs_, allow_partial_));
        done.recovered = fresh->missing.size() < lacking;
        std::lock_guard<std::mutex> lock(m_);
        if (probe && done.recovered) ++recoveries_;
        return {std::move(fresh), recoveries_};
    }

    void give_back(Handle h) {
        std::lock_guard<std::mutex> lock(m_);
        // A request answered by every shard: a later outage is tried again from 1 s on.
        if (h.index->missing.empty()) probe_interval_ = Clock::duration::zero();
        free_.push_back(std::move(h));
    }

    std::vector<std::string> specs_;
    bool allow_partial_;
    std::mutex m_;
    std::vector<Handle> free_;
    std::uint64_t recoveries_ = 0;  // times a handle found shards back that it had lacked
    bool probing_ = false;          // a request is trying the missing shards again
    Clock::time_point next_probe_{};
    Clock::duration probe_interval_{};  // since the last probe: 1 s, 2 s, 4 s ... 30 s
};

constexpr const char* kJsonType = "application/json; charset=utf-8";

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(dumps(body) + "\n", kJsonType);
}

void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& param = "") {
    json body{{"version", kJsonVersion}, {"status", status}, {"error", message}};
    if (!param.empty()) body["parameter"] = param;
    send_json(res, status, body);
}

// One API request: its parameters parsed (`parse`, before the index is touched: a bad
// parameter is a 400 even while the index is down), then `run(index, request)` on a handle at
// the latest commit returns the JSON body. Every error is mapped to its status here, with the
// CLI's wording: 400 bad parameter, 404 no such article, 503 index unavailable, 500 a bug.
// Searches at once: one per core. More workers than cores only wait for connections; more
// searches than cores at once would share the caches and cores and finish later each.
std::counting_semaphore<1024>& search_slots() {
    static std::counting_semaphore<1024> slots(
        static_cast<std::ptrdiff_t>(std::clamp(std::thread::hardware_concurrency(), 1u, 1024u)));
    return slots;
}

template <typename Parse, typename Run>
void api(IndexPool& pool, const httplib::Request& req, httplib::Response& res, Parse&& parse,
         Run&& run) {
    std::optional<IndexPool::Lease> lease;
    try {
        const auto request = parse(req.params);
        search_slots().acquire();
        struct Release {
            ~Release() { search_slots().release(); }
        } release;
        lease.emplace(pool, pool.take());
        const json body = run(**lease, request);
        send_json(res, 200, body);
    } catch (const ParamError& e) {
        send_error(res, 400, e.what(), e.param());
    } catch (const UsageError& e) {
        send_error(res, 400, e.what());
    } catch (const NotFoundError& e) {
        send_error(res, 404, e.what());
    } catch (const IndexError& e) {
        if (lease) lease->broken();
        send_error(res, 503, e.what());
    } catch (const Xapian::DatabaseLockError& e) {
        if (lease) lease->broken();
        send_error(res, 503, "index is locked: " + e.get_msg());
    } catch (const Xapian::Error& e) {
        if (lease) lease->broken();
        send_error(res, 503, "index error: " + e.get_description());
    } catch (const std::exception& e) {
        if (lease) lease->broken();
        send_error(res, 500, std::string("internal error: ") + e.what());
    }
}

const char* content_type(const std::string& path) {
    auto ends = [&](const char* ext) {
        const std::string e(ext);
        return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
    };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".png")) return "image/png";
    if (ends(".svg")) return "image/svg+xml";
    return "application/octet-stream";
}

// A host name or address (without port or brackets) that means this machine's loopback.
bool is_loopback(std::string host) {
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (host == "localhost" || host.ends_with(".localhost") || host == "::1") return true;
    if (!host.starts_with("127.")) return false;
    return host.find_first_not_of("0123456789.") == std::string::npos;
}

// The host of a Host header: "[::1]:8080" -> "::1", "localhost:8080" -> "localhost".
std::string host_of(const std::string& header) {
    if (!header.empty() && header.front() == '[') {
        const auto end = header.find(']');
        return end == std::string::npos ? header : header.substr(1, end - 1);
    }
    return header.substr(0, header.find(':'));
}

// "HOST:PORT" or "[V6]:PORT". Throws UsageError.
std::pair<std::string, int> parse_listen(const std::string& spec) {
    const auto colon = spec.rfind(':');
    std::string host = colon == std::string::npos ? "" : spec.substr(0, colon);
    const std::string port = colon == std::string::npos ? "" : spec.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const bool digits = !port.empty() && port.size() <= 5 &&
                        port.find_first_not_of("0123456789") == std::string::npos;
    const long p = digits ? std::stol(port) : -1;
    if (host.empty() || p < 0 || p > 65535)
        throw UsageError("--listen: expected HOST:PORT (e.g. 127.0.0.1:8080), got '" + spec + "'");
    return {host, static_cast<int>(p)};
}

void routes(httplib::Server& svr, IndexPool& pool, const ServeOptions& opts) {
    svr.Get("/api/v1/search", [&](const httplib::Request& req, httplib::Response& res) {
        api(pool, req, res, search_request, [](OpenedIndex& index, const SearchRequest& r) {
            SearchResult out = run_search(index, r.options);
            if (auto note = date_window_note(index, r.options.request.filters, r.since, r.until))
                out.notes.push_back(std::move(*note));  // as the CLI's search adds it
            return json(out);
        });
    });
    svr.Get("/api/v1/related", [&](const httplib::Request& req, httplib::Response& res) {
        api(pool, req, res, related_request, [](OpenedIndex& index, const RelatedRequest& r) {
            RelatedResult out = run_related(index, r.seed, r.options);
            if (auto note = date_window_note(index, r.options.filters, r.since, r.until))
                out.notes.push_back(std::move(*note));
            return json(out);
        });
    });
    svr.Get("/api/v1/story", [&](const httplib::Request& req, httplib::Response& res) {
        api(pool, req, res, id_request,
            [](OpenedIndex& index, const std::string& id) { return json(get_story(index, id)); });
    });
    svr.Get("/api/v1/article", [&](const httplib::Request& req, httplib::Response& res) {
        api(pool, req, res, id_request,
            [](OpenedIndex& index, const std::string& id) { return json(get_article(index, id)); });
    });
    auto stats = [&](const httplib::Request& req, httplib::Response& res) {
        api(
            pool, req, res, [](const HttpParams& p) { return (no_params(p), 0); },
            [](OpenedIndex& index, int) { return json(index_stats(index)); });
    };
    svr.Get("/api/v1/stats", stats);
    svr.Get("/healthz", [&](const httplib::Request& req, httplib::Response& res) {
        api(
            pool, req, res, [](const HttpParams& p) { return (no_params(p), 0); },
            [](OpenedIndex& index, int) {
                return json{{"status", "ok"}, {"documents", index.db.get_doccount()}};
            });
    });
    // The page: the embedded files, and nothing else (no path reaches the file system).
    for (const WebAsset& a : web_assets()) {
        const std::string path = a.path;
        auto serve_asset = [&a, path](const httplib::Request&, httplib::Response& res) {
            res.set_content(reinterpret_cast<const char*>(a.data), a.size, content_type(path));
            res.set_header("Cache-Control", "no-cache");
        };
        svr.Get(path, serve_asset);
        if (path == "/index.html") svr.Get("/", serve_asset);
    }
    // Read-only: every other method is refused on every path.
    auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
        res.set_header("Allow", "GET");
        send_error(res, 405, "method not allowed (the API answers GET)");
    };
    svr.Post(".*", not_allowed);
    svr.Put(".*", not_allowed);
    svr.Patch(".*", not_allowed);
    svr.Delete(".*", not_allowed);
    svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return;  // a handler's own error body
        const int status = res.status;
        send_error(res, status,
                   status == 404   ? "no such page or endpoint (the API is under /api/v1/)"
                   : status == 405 ? "method not allowed (the API answers GET)"
                   : status == 413 ? "request too large"
                   : status == 414 ? "request URI too long"
                                   : "bad request");
    });
    svr.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            std::string what = "unknown error";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            send_error(res, 500, "internal error: " + what);
        });
    // DNS rebinding: a page on another site can point its own host name at 127.0.0.1 and then
    // read our answers as if they were its own. A server listening on loopback answers only
    // requests addressed to a loopback name (Host: localhost, 127.x.y.z or [::1], any port).
    if (is_loopback(parse_listen(opts.listen).first)) {
        svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
            if (!req.has_header("Host") || is_loopback(host_of(req.get_header_value("Host"))))
                return httplib::Server::HandlerResponse::Unhandled;
            send_error(res, 403,
                       "this server listens on loopback and answers only requests addressed to "
                       "localhost, 127.0.0.1 or [::1] (Host header)");
            return httplib::Server::HandlerResponse::Handled;
        });
    }
    const std::string cors = opts.cors;
    svr.set_post_routing_handler([cors](const httplib::Request& req, httplib::Response& res) {
        // A page that shows articles: no script but ours, no framing, no sniffing.
        res.set_header("Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src 'self'; "
                       "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                       "base-uri 'none'; frame-ancestors 'none'");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("Referrer-Policy", "no-referrer");
        if (!cors.empty() && req.path.rfind("/api/", 0) == 0) {
            res.set_header("Access-Control-Allow-Origin", cors);
            res.set_header("Vary", "Origin");
        }
    });
}

}  // namespace

int serve(const ServeOptions& opts) {
    const auto [host, port] = parse_listen(opts.listen);
    if (opts.threads < 1 || opts.threads > 1024)
        throw UsageError("--threads must be from 1 to 1024");
    // An index that cannot be opened yet (not built, say) is reported here and answered with
    // 503 until it can be.
    IndexPool pool(opts.indexes, opts.allow_partial);
    try {
        IndexPool::Lease first(pool, pool.take());
        // Many searches in one process: the prior keys of each index revision are copied into
        // memory once and shared by the workers (prior.hpp; off when two indexes share a uuid).
        set_prior_column_cache((*first).distinct_uuids());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "searcher: warning: %s (answering 503 until it can be opened)\n",
                     e.what());
    }

    // SIGINT/SIGTERM are taken by a thread of ours (sigwait), which stops the server: blocked
    // here before any other thread starts, so every thread inherits the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    httplib::Server svr;
    const unsigned threads = opts.threads;
    svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    svr.set_payload_max_length(64 * 1024);
    svr.set_tcp_nodelay(true);  // else a keep-alive answer can wait 40 ms for a delayed ACK
    svr.set_keep_alive_max_count(1000);
    svr.set_keep_alive_timeout(5);
    svr.set_read_timeout(10, 0);
    svr.set_write_timeout(10, 0);
    routes(svr, pool, opts);

    const int bound =
        port == 0 ? svr.bind_to_any_port(host) : (svr.bind_to_port(host, port) ? port : -1);
    if (bound < 0)
        throw UsageError("cannot listen on " + opts.listen + " (address in use or not local)");
    std::printf("listening on http://%s:%d\n",
                host.find(':') != std::string::npos ? ("[" + host + "]").c_str() : host.c_str(),
                bound);
    std::fflush(stdout);

    std::atomic<bool> signalled{false};
    std::thread stopper([&svr, &stop_signals, &signalled] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        signalled = true;
        svr.stop();
    });
    const bool ok = svr.listen_after_bind();
    // Stopped by a signal (the stopper is done), or listening failed: wake the stopper.
    if (!signalled) pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
    std::fprintf(stderr, "searcher: server stopped\n");
    return ok || signalled ? kExitOk : kExitInternal;
}

}  // namespace news
