/// A message with the department or intent it was finally handled by: one example for training
/// or evaluating a `TextClassifier`.
public struct LabelledText: Sendable, Hashable {
    /// The message text as the customer wrote it.
    public var text: String
    /// Where the message ended up: a department, queue or intent name.
    public var label: String

    public init(text: String, label: String) {
        self.text = text
        self.label = label
    }
}
