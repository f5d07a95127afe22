"""Where a traced gateway's time goes: folds a dotnet-trace speedscope file (profile
dotnet-sampled-thread-time) into the gateway's pieces.

A sample is busy when its leaf is CPU_TIME (managed code running), or UNMANAGED_CODE_TIME under
a caller that works natively (OpenSSL, SQLite) rather than waits (semaphores, monitors, the
socket and file-watcher loops). Samples whose caller is a waiting or spinning loop (thread pool
workers, the socket engine's epoll loop, the Redis client's scheduler) are counted apart: this
sampler cannot tell a thread that spins on the CPU from one that waits for it, and on a single
pinned core many threads are runnable at once, so shares are of samples, not of CPU time.
Each busy sample is charged to the innermost frame that matches a piece below, so a hash
computed inside the audit writer counts as audit, not as Kestrel.
Usage: trace_summary.py <file.speedscope.json>
"""
import collections
import json
import re
import sys

WAITING = re.compile(
    r"RunWorkLoop|WaitOneNoCheck|Monitor\.Wait|Interop\+Sys\.Read\(|ManualResetEventSlim\.Wait|WaitHandle\.WaitOne"
    r"|LowLevelLifoSemaphore|WorkerThreadStart|^\?!\?$|SpinWait|Enter_Slowpath|Thread\.Sleep|PollEvents|WaitForSocketEvents")

# (piece, pattern): the first piece whose pattern matches, from the leaf outwards, takes the sample.
PIECES = [
    ("JWT: ES256 signature check (OpenSSL)", r"ECDsa|AsymmetricAdapter|AsymmetricSignatureProvider"),
    ("JWT: parse + validate (IdentityModel)", r"Microsoft\.IdentityModel"),
    ("JwtBearer handler + claims", r"JwtBearer|Microsoft\.AspNetCore\.Authentication|System\.Security\.Claims"),
    ("authorization", r"Microsoft\.AspNetCore\.Authorization"),
    ("revocation check", r"Gateway\.Api\.Auth\."),
    ("rate limit: decision + Redis client", r"Gateway\.Api\.RateLimiting|StackExchange\.Redis|Pipelines\.Sockets|Polly"),
    ("audit: writer (EF Core, SQLite, hash)", r"AuditWriter|AuditStore|AuditChain|AuditInsert|AuditRecord|Sqlite|SQLitePCL|EntityFrameworkCore"),
    ("audit: capture (middleware, queue)", r"AuditMiddleware|AuditQueue|AuditMetrics|AuditReasons"),
    ("telemetry (OpenTelemetry, Activity, metrics)", r"OpenTelemetry|System\.Diagnostics\.(Activity|Metrics|DiagnosticListener)|DiagnosticSource!"),
    ("logging", r"Microsoft\.Extensions\.Logging"),
    ("edge hardening: headers, request id", r"Gateway\.Api\.Hardening|Gateway\.Api\.Proxy\.RouteRules"),
    ("YARP forward + HttpClient to backend", r"Yarp|System\.Net\.Http|Gateway\.Api\.Proxy"),
    ("Kestrel, routing, middleware plumbing", r"Microsoft\.AspNetCore|Microsoft\.Extensions"),
    ("sockets, thread pool, runtime", r"System\.Net\.Sockets|System\.Private\.CoreLib|System\.IO\.Pipelines"),
]
LOOPS = re.compile(r"RunWorkLoop|EventLoop\(|WorkerThreadStart|LowLevelLifoSemaphore|SpinWait|TimerThread|WaitOne|Monitor\.Wait|ProcessBacklog")
COMPILED = [(name, re.compile(pattern)) for name, pattern in PIECES]
# Frames that finish before the request goes on. (An awaited call that completes asynchronously,
# like the rate-limit script or the forward, resumes the rest of the pipeline inside its own
# frame, so its inclusive share would be inflated; those are left to the pieces above.)
WATCHED = [
    ("JwtBearerHandler.HandleAuthenticateAsync", r"JwtBearerHandler\+<HandleAuthenticateAsync>"),
    ("JsonWebTokenHandler.ValidateTokenAsync", r"JsonWebTokenHandler\+<ValidateTokenAsync>|JsonWebTokenHandler\.ValidateSignature"),
    ("AuditWriter (all of it)", r"AuditWriter"),
]


def main(path):
    data = json.load(open(path))
    frames = [f["name"] for f in data["shared"]["frames"]]
    pieces, watched = collections.Counter(), collections.Counter()
    busy = idle = loops = 0.0
    for profile in data["profiles"]:
        stack, last = [], profile["startValue"]
        for event in profile["events"]:
            elapsed, last = event["at"] - last, event["at"]
            if stack and elapsed > 0:
                names = [frames[i] for i in stack]
                if names[-1] == "UNMANAGED_CODE_TIME" and (len(names) < 2 or WAITING.search(names[-2])):
                    idle += elapsed
                elif any(LOOPS.search(n) for n in names[-2:-4:-1]) and not any(n.startswith("Gateway.Api!") for n in names):
                    loops += elapsed
                elif names[-1] in ("CPU_TIME", "UNMANAGED_CODE_TIME"):
                    busy += elapsed
                    pieces[charge(names)] += elapsed
                    for label, pattern in WATCHED:
                        if any(re.search(pattern, n) for n in names):
                            watched[label] += elapsed
            if event["type"] == "O":
                stack.append(event["frame"])
            else:
                stack.pop()
    if busy == 0:
        print("no busy samples in the trace")
        return
    print(f"busy samples: {busy / 1000:.1f} thread-seconds; in waiting/spinning loops {loops / 1000:.1f}; idle {idle / 1000:.1f}")
    print(f"{'piece (innermost match)':48} {'share':>7}")
    for name, value in pieces.most_common():
        print(f"{name:48} {value * 100 / busy:6.1f}%")
    print(f"\n{'inclusive, whatever is inside':48} {'share':>7}")
    for label, _ in WATCHED:
        print(f"{label:48} {watched[label] * 100 / busy:6.1f}%")


def charge(names):
    for name in reversed(names[:-1]):
        for piece, pattern in COMPILED:
            if pattern.search(name):
                return piece
    return "other"


if __name__ == "__main__":
    main(sys.argv[1])
