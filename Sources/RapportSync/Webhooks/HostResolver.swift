import NIOPosix
import RapportCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The IP addresses a host name resolves to, as text, so each can be checked before a request.
public enum HostResolver {
    static func addresses(of host: String) -> [String] {
        var hints = addrinfo()
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var result: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let family = current.pointee.ai_family
            if family == AF_INET, let address = current.pointee.ai_addr {
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    var raw = pointer.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
                }
                result.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            } else if family == AF_INET6, let address = current.pointee.ai_addr {
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    var raw = pointer.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
                }
                result.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            entry = current.pointee.ai_next
        }
        return Array(Set(result)).sorted()
    }

    /// The addresses `host` resolves to, looked up on NIO's pool for blocking calls so that no
    /// task's thread waits on the resolver.
    @Sendable public static func lookUp(_ host: String) async -> [String] {
        (try? await NIOThreadPool.singleton.runIfActive { addresses(of: host) }) ?? []
    }

    /// Why a sink's host may not be called under `policy`; nil when every address it resolves to may be.
    public static func refusal(ofHost host: String, policy: NetworkAddressPolicy) async -> String? {
        let addresses = await lookUp(host)
        guard !addresses.isEmpty else { return "\(host) does not resolve" }
        return addresses.lazy.compactMap(policy.refusal(of:)).first
    }
}

