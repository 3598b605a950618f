import NIOCore
@testable import RapportAMQP
import Testing

@Suite("AMQP URL parsing")
struct AMQPConfigurationTests {
    @Test func parsesEveryPart() throws {
        let configuration = try AMQPConfiguration(url: "amqp://us%40er:p%3Ass%2Fword@broker.example:5673/crm%2Fprod?heartbeat=30&frame_max=131072&connection_timeout=2.5&channel_max=100")
        #expect(configuration.host == "broker.example")
        #expect(configuration.port == 5673)
        #expect(configuration.username == "us@er")
        #expect(configuration.password == "p:ss/word")
        #expect(configuration.virtualHost == "crm/prod")
        #expect(configuration.heartbeat == 30)
        #expect(configuration.frameMax == 131_072)
        #expect(configuration.channelMax == 100)
        #expect(configuration.connectionTimeout == .milliseconds(2_500))
        #expect(configuration.tls == nil)
    }

    @Test(arguments: [
        ("amqp://guest:guest@127.0.0.1:5672/", "/", 5672),
        ("amqp://localhost", "/", 5672),
        ("amqp://localhost/%2f", "/", 5672),
        ("amqp://localhost/%2F", "/", 5672),
        ("amqp://localhost/rapport", "rapport", 5672),
        ("amqps://localhost/", "/", 5671),
        ("amqp://[::1]:5800/v", "v", 5800),
    ] as [(String, String, Int)])
    func defaultsPortAndVhost(url: String, vhost: String, port: Int) throws {
        let configuration = try AMQPConfiguration(url: url)
        #expect(configuration.virtualHost == vhost)
        #expect(configuration.port == port)
    }

    @Test func amqpsVerifiesCertificates() throws {
        let configuration = try AMQPConfiguration(url: "amqps://u:p@mq.example/")
        #expect(configuration.tls?.certificateVerification == .fullVerification)
        let privateCA = try AMQPConfiguration(url: "amqps://u:p@mq.example/?cacertfile=/etc/rapport/ca.pem")
        #expect(privateCA.tls?.trustRoots == .file("/etc/rapport/ca.pem"))
        #expect(privateCA.tls?.certificateVerification == .fullVerification)
    }

    @Test(arguments: [
        ("http://localhost/", "scheme"),
        ("amqp://localhost:0/", "port"),
        ("amqp://localhost/a/b", "vhost"),
        ("amqp://localhost/?heartbeat=abc", "heartbeat"),
        ("amqp://localhost/?frame_max=100", "frame_max"),
        ("amqp://localhost/?connection_timeout=-1", "connection_timeout"),
        ("amqp://localhost/?bogus=1", "bogus"),
        ("amqp://local host/", "URL"),
        ("amqp://localhost/?cacertfile=/tmp/ca.pem", "cacertfile"),
        ("amqps://localhost/?certfile=/nonexistent/cert.pem", "certfile"),
    ])
    func badURLsNameThePart(url: String, part: String) {
        do {
            _ = try AMQPConfiguration(url: url)
            Issue.record("\(url) was accepted")
        } catch let error as AMQPError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains(part), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func descriptionHidesThePassword() throws {
        let configuration = try AMQPConfiguration(url: "amqp://rapport:s3cr3t-pw@mq:5672/crm")
        #expect(!configuration.description.contains("s3cr3t-pw"))
        #expect(configuration.description.contains("rapport@mq:5672"))
        #expect(!"\(configuration)".contains("s3cr3t"))
    }
}
