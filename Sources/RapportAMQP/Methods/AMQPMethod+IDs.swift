extension AMQPMethod {
    /// The (class-id, method-id) pair that identifies the method on the wire.
    var id: (classID: UInt16, methodID: UInt16) {
        switch self {
        case .connectionStart: (10, 10)
        case .connectionStartOk: (10, 11)
        case .connectionTune: (10, 30)
        case .connectionTuneOk: (10, 31)
        case .connectionOpen: (10, 40)
        case .connectionOpenOk: (10, 41)
        case .connectionClose: (10, 50)
        case .connectionCloseOk: (10, 51)
        case .connectionBlocked: (10, 60)
        case .connectionUnblocked: (10, 61)
        case .channelOpen: (20, 10)
        case .channelOpenOk: (20, 11)
        case .channelFlow: (20, 20)
        case .channelFlowOk: (20, 21)
        case .channelClose: (20, 40)
        case .channelCloseOk: (20, 41)
        case .exchangeDeclare: (40, 10)
        case .exchangeDeclareOk: (40, 11)
        case .exchangeDelete: (40, 20)
        case .exchangeDeleteOk: (40, 21)
        case .queueDeclare: (50, 10)
        case .queueDeclareOk: (50, 11)
        case .queueBind: (50, 20)
        case .queueBindOk: (50, 21)
        case .queuePurge: (50, 30)
        case .queuePurgeOk: (50, 31)
        case .queueDelete: (50, 40)
        case .queueDeleteOk: (50, 41)
        case .queueUnbind: (50, 50)
        case .queueUnbindOk: (50, 51)
        case .basicQos: (60, 10)
        case .basicQosOk: (60, 11)
        case .basicConsume: (60, 20)
        case .basicConsumeOk: (60, 21)
        case .basicCancel: (60, 30)
        case .basicCancelOk: (60, 31)
        case .basicPublish: (60, 40)
        case .basicReturn: (60, 50)
        case .basicDeliver: (60, 60)
        case .basicAck: (60, 80)
        case .basicReject: (60, 90)
        case .basicNack: (60, 120)
        case .confirmSelect: (85, 10)
        case .confirmSelectOk: (85, 11)
        }
    }

    /// For a synchronous request, the id of the reply the broker must send; nil for asynchronous methods.
    var expectedReplyID: (classID: UInt16, methodID: UInt16)? {
        switch self {
        case .channelOpen, .channelClose, .channelFlow, .exchangeDeclare, .exchangeDelete, .queueDeclare, .queueBind,
             .queueUnbind, .queuePurge, .queueDelete, .basicQos, .basicConsume, .basicCancel, .confirmSelect:
            (id.classID, id.methodID + 1)  // every synchronous reply is the request's method id plus one
        default: nil
        }
    }

    /// Whether this method is followed by a content header and body frames.
    var carriesContent: Bool {
        switch self {
        case .basicPublish, .basicReturn, .basicDeliver: true
        default: false
        }
    }
}
