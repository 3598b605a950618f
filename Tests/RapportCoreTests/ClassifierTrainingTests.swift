import RapportCore
import Testing

/// Small synthetic histories: what a content model must learn, and what it must refuse.
@Suite("Classifier training")
struct ClassifierTrainingTests {
    /// English messages for three departments, built from templates so that test sentences are unseen.
    static let english: [LabelledText] = {
        let openings = ["Hi,", "Hello,", "Good morning,", "Dear team,", "Please help:", ""]
        let intents: [(String, [String])] = [
            ("billing", ["I was charged twice for my subscription", "my invoice shows the wrong amount",
                         "please refund the extra payment", "why did my card get billed again",
                         "the monthly fee on my bill is too high", "I need a copy of last month's invoice"]),
            ("login", ["I cannot log in to my account", "my password reset link does not work",
                       "the app says my password is wrong", "I am locked out after too many attempts",
                       "two-factor code never arrives when I sign in", "how do I change my login email"]),
            ("shipping", ["my parcel has not arrived yet", "the delivery is two weeks late",
                          "where is my package", "the courier left my order at the wrong address",
                          "can I change the delivery address of my shipment", "tracking number shows no update"]),
        ]
        var examples: [LabelledText] = []
        for (label, sentences) in intents {
            for sentence in sentences {
                for opening in openings { examples.append(LabelledText(text: "\(opening) \(sentence)", label: label)) }
            }
        }
        return examples
    }()

    /// Chinese messages (no spaces between words): refunds and returns against login and passwords.
    static let chinese: [LabelledText] = {
        let refunds = ["我要退款", "请帮我办理退货", "商品有问题，申请退款", "退货以后钱什么时候到账", "怎么申请退款",
                       "我想把这件衣服退货", "退款还没有收到", "订单可以退款吗", "退货运费谁承担", "我要求全额退款"]
        let logins = ["我无法登录账户", "忘记密码了怎么办", "登录时提示密码错误", "如何重置登录密码", "账号被锁定无法登录",
                      "验证码收不到，登录不了", "修改密码失败", "登录页面打不开", "密码输入多次被冻结", "怎么更改登录手机号"]
        let suffixes = ["", "，谢谢", "。", "，急！", "，请尽快处理"]
        var examples: [LabelledText] = []
        for suffix in suffixes {
            examples += refunds.map { LabelledText(text: $0 + suffix, label: "退款") }
            examples += logins.map { LabelledText(text: $0 + suffix, label: "登录") }
        }
        return examples
    }()

    @Test func learnsEnglishDepartments() throws {
        let classifier = try TextClassifier.train(Self.english)
        #expect(classifier.labels == ["billing", "login", "shipping"])
        #expect(classifier.predict("I was billed twice, please refund me").label == "billing")
        #expect(classifier.predict("reset my password please, I can't sign in").label == "login")
        #expect(classifier.predict("the package is late and the courier has no tracking").label == "shipping")
        let prediction = classifier.predict("Hello, my invoice is wrong")
        #expect(prediction.candidates.count == 3)
        #expect(prediction.candidates[0].label == prediction.label)
        #expect(prediction.candidates.map(\.confidence) == prediction.candidates.map(\.confidence).sorted(by: >))
        #expect(abs(prediction.candidates.map(\.confidence).reduce(0, +) - 1) < 1e-9)
    }

    @Test func learnsChineseWithoutATokenizer() throws {
        let classifier = try TextClassifier.train(Self.chinese)
        #expect(classifier.predict("我想退款，东西坏了").label == "退款")
        #expect(classifier.predict("申请退货退款").label == "退款")
        #expect(classifier.predict("密码忘了，登录不上").label == "登录")
        #expect(classifier.predict("登录一直失败").label == "登录")
    }

    @Test func foldsFullWidthAndCase() throws {
        let classifier = try TextClassifier.train(Self.english)
        let plain = classifier.predict("my password reset link does not work")
        let wide = classifier.predict("ＭＹ ＰＡＳＳＷＯＲＤ Ｒｅｓｅｔ ｌｉｎｋ ｄｏｅｓ ＮＯＴ ｗｏｒｋ")
        #expect(wide == plain)
        let chinese = try TextClassifier.train(Self.chinese)
        // The full-width comma and exclamation mark fold to their ASCII forms.
        #expect(chinese.predict("我要退款，急！") == chinese.predict("我要退款,急!"))
    }

    @Test func sameSeedGivesTheSameModel() throws {
        // Compared as one Bool: a failing comparison of two large arrays would print them whole.
        let first = try TextClassifier.train(Self.english + Self.chinese).encoded()
        let second = try TextClassifier.train(Self.english + Self.chinese).encoded()
        let same = first == second
        #expect(same)
        var options = ClassifierOptions()
        options.calibrationShare = 0
        let withoutHoldOut = try TextClassifier.train(Self.english, options: options).encoded()
        let again = try TextClassifier.train(Self.english, options: options).encoded()
        let sameAgain = withoutHoldOut == again
        #expect(sameAgain)
    }

    @Test func reportsAccuracyOnTheHeldOutShare() throws {
        let examples = Self.english + Self.chinese
        let (model, heldOut) = try TextClassifier.trainEvaluated(examples)
        let evaluation = try #require(heldOut)
        // Half is held out by default; the trial model never saw those messages.
        #expect(evaluation.count == Int((Double(examples.count) * ClassifierOptions().calibrationShare).rounded()))
        #expect(evaluation.accuracy > 0.9, "held-out accuracy \(evaluation.accuracy)")
        #expect(Set(evaluation.labels.map(\.label)) == Set(model.labels))
        // The model returned is the same one `train` gives.
        let same = model.encoded() == (try TextClassifier.train(examples)).encoded()
        #expect(same)
        // Without a held-out share there is nothing to report.
        var options = ClassifierOptions()
        options.calibrationShare = 0
        #expect(try TextClassifier.trainEvaluated(examples, options: options).heldOut == nil)
    }

    /// How low confidence gets on real data is checked on banking77; these templates are too
    /// repetitive for the held-out messages to teach the model much doubt.
    @Test func isLessConfidentOnUnclearText() throws {
        let classifier = try TextClassifier.train(Self.english)
        let clear = classifier.predict("I cannot log in, my password is wrong")
        let unseen = classifier.predict("zebra quantum violin")
        let mixed = classifier.predict("password invoice parcel")
        #expect(clear.label == "login")
        #expect(clear.confidence > 0.5)
        #expect(unseen.confidence < clear.confidence)
        #expect(mixed.confidence < clear.confidence)
        #expect(!clear.needsTriage)
    }

    @Test func skipsBlankExamples() throws {
        let classifier = try TextClassifier.train(Self.english + [LabelledText(text: "  ", label: "billing"),
                                                                  LabelledText(text: "hello", label: "")])
        #expect(classifier.exampleCount == Self.english.count)
        #expect(classifier.labels == ["billing", "login", "shipping"])
    }

    @Test func refusesUnusableHistory() {
        #expect(throws: ClassifierError(.noExamples, "no example has both a text and a label")) {
            try TextClassifier.train([])
        }
        #expect { try TextClassifier.train([LabelledText(text: "a", label: "x"), LabelledText(text: "b", label: "x")]) } throws: {
            ($0 as? ClassifierError)?.code == .tooFewLabels
        }
        var options = ClassifierOptions()
        options.characterNGrams = 0...0
        options.wordNGrams = 0...0
        #expect { try TextClassifier.train(Self.english, options: options) } throws: {
            ($0 as? ClassifierError)?.code == .invalidOptions
        }
    }

    @Test func evaluatesPredictions() {
        func prediction(_ label: String, _ confidence: Double) -> ClassifierPrediction {
            ClassifierPrediction(label: label, confidence: confidence, needsTriage: confidence < 0.5,
                                 candidates: [.init(label: label, confidence: confidence)])
        }
        let evaluation = ClassifierEvaluation(
            truth: ["a", "a", "b", "b"],
            predictions: [prediction("a", 0.9), prediction("b", 0.3), prediction("b", 0.8), prediction("b", 0.6)],
            threshold: 0.5)
        #expect(evaluation.accuracy == 0.75)
        #expect(evaluation.coverage == 0.75)
        #expect(evaluation.confidentAccuracy == 1)
        #expect(evaluation.triageAccuracy == 0)
        #expect(evaluation.labels.map(\.label) == ["a", "b"])
        #expect(evaluation.labels[0].precision == 1 && evaluation.labels[0].recall == 0.5)
        #expect(abs(evaluation.labels[1].precision - 2.0 / 3) < 1e-12 && evaluation.labels[1].recall == 1)
    }
}
