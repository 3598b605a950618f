import Logging
import NIOCore
import NIOSSL

/// One SMTP connection: feeds lines to the `SMTPSession` and performs what it asks — replies,
/// STARTTLS, the recipient check and storing the message, the last two asynchronously, with
/// the lines that arrive meanwhile (pipelining) held until the answer is sent.
final class SMTPConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = SMTPInput
    typealias OutboundOut = ByteBuffer

    private var session: SMTPSession
    private let intake: any MailIntake
    private let rateLimit: SharedSenderRateLimit
    private let tls: NIOSSLContext?
    private let logger: Logger

    private var pending = CircularBuffer<SMTPInput>()
    private var busy = false
    private var closing = false
    private var discardingLongLine = false

    // The message being read after DATA.
    private var readingData = false
    private var message: [UInt8] = []
    private var oversize = false
    private var atLineStart = true

    init(configuration: SMTPSession.Configuration, intake: any MailIntake, rateLimit: SharedSenderRateLimit, tls: NIOSSLContext?,
         logger: Logger) {
        self.session = SMTPSession(configuration: configuration)
        self.intake = intake
        self.rateLimit = rateLimit
        self.tls = tls
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        send(session.greeting, context: context)
        context.flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(unwrapInboundIn(data))
        // A client that goes on sending while a message is being stored is not read further
        // until the held lines are handled: memory stays bounded.
        if pending.count > Self.heldLinesLimit, !paused {
            paused = true
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        }
        drain(context: context)
    }

    private static let heldLinesLimit = 1_000
    private var paused = false

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            send(SMTPReply(421, "4.4.2 \(session.configuration.hostname) Error: timeout exceeded"), context: context)
            close(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("SMTP connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Handles held input until the session waits for an answer or the input runs out.
    private func drain(context: ChannelHandlerContext) {
        while !busy, !closing, let input = pending.popFirst() {
            if readingData {
                readData(input, context: context)
            } else {
                readCommand(input, context: context)
            }
        }
        context.flush()
        if paused, pending.isEmpty, !closing {
            paused = false
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
            context.read()
        }
    }

    private func readCommand(_ input: SMTPInput, context: ChannelHandlerContext) {
        let line: ByteBuffer
        switch input {
        case .fragment:
            discardingLongLine = true
            return
        case .line(let buffer):
            line = buffer
        }
        if discardingLongLine {
            discardingLongLine = false
            perform(session.lineTooLong(), context: context)
            return
        }
        let text = String(decoding: line.readableBytesView, as: UTF8.self)
        guard text.utf8.count <= 2_048 else {
            perform(session.lineTooLong(), context: context)
            return
        }
        perform(session.command(text), context: context)
    }

    private func perform(_ step: SMTPSession.Step, context: ChannelHandlerContext) {
        switch step {
        case .reply(let reply):
            send(reply, context: context)
        case .replyAndClose(let reply):
            send(reply, context: context)
            close(context: context)
        case .startTLS(let reply):
            send(reply, context: context)
            context.flush()
            guard let tls else { return }
            // Written before the TLS handler joins the pipeline, so the 220 goes out in the clear.
            do {
                try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
                session.tlsStarted()
                pending.removeAll()  // nothing sent before the handshake may be acted on (RFC 3207 §5)
            } catch {
                close(context: context)
            }
        case .checkSender(let from):
            send(session.senderChecked(from, allowed: rateLimit.take(from)), context: context)
        case .checkRecipient(let address):
            busy = true
            let intake = self.intake
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { try await intake.accepts(recipient: address) }.whenComplete { result in
                let (handler, context) = loopBound.value
                handler.busy = false
                switch result {
                case .success(let accepted):
                    handler.send(handler.session.recipientChecked(address, accepted: accepted), context: context)
                case .failure(let error):
                    handler.logger.error("SMTP recipient check failed", metadata: ["error": "\(error)"])
                    handler.send(SMTPReply(451, "4.3.0 Error: try again later"), context: context)
                }
                handler.drain(context: context)
            }
        case .readData(let reply):
            send(reply, context: context)
            readingData = true
            message = []
            oversize = false
            atLineStart = true
        }
    }

    private func readData(_ input: SMTPInput, context: ChannelHandlerContext) {
        switch input {
        case .line(let buffer):
            let bytes = buffer.readableBytesView
            if atLineStart, isTerminator(bytes) {
                readingData = false
                endData(context: context)
                return
            }
            // Dot-stuffing (RFC 5321 §4.5.2): a line's leading dot was doubled by the client.
            append(atLineStart && bytes.first == UInt8(ascii: ".") ? bytes.dropFirst() : bytes[...])
            atLineStart = true
        case .fragment(let buffer):
            let bytes = buffer.readableBytesView
            append(atLineStart && bytes.first == UInt8(ascii: ".") ? bytes.dropFirst() : bytes[...])
            atLineStart = false
        }
    }

    private func isTerminator(_ bytes: ByteBufferView) -> Bool {
        (bytes.count == 3 && bytes.elementsEqual([0x2E, 0x0D, 0x0A])) || (bytes.count == 2 && bytes.elementsEqual([0x2E, 0x0A]))
    }

    private func append(_ bytes: ByteBufferView.SubSequence) {
        guard !oversize else { return }
        if message.count + bytes.count > session.configuration.maxMessageBytes {
            oversize = true
            message = []
            return
        }
        message.append(contentsOf: bytes)
    }

    private func endData(context: ChannelHandlerContext) {
        let raw = message
        message = []
        switch session.dataEnded(oversize: oversize) {
        case .failure(let error):
            send(error.reply, context: context)
        case .success(let envelope):
            busy = true
            context.flush()
            let intake = self.intake
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { try await intake.deliver(raw, envelope: envelope) }.whenComplete { result in
                let (handler, context) = loopBound.value
                handler.busy = false
                switch result {
                case .success(let id):
                    handler.send(handler.session.delivered(as: id), context: context)
                case .failure(let error):
                    handler.logger.error("SMTP message not stored", metadata: ["error": "\(error)"])
                    handler.send(handler.session.deliveryFailed(), context: context)
                }
                handler.drain(context: context)
            }
        }
    }

    private func send(_ reply: SMTPReply, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString(reply.wire)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func close(context: ChannelHandlerContext) {
        closing = true
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }
}
