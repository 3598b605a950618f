/// What an email channel's settings say about mail: the addresses it receives at.
public enum EmailChannelSettings {
    /// `settings.address` and the strings of `settings.addresses`, lowercased.
    public static func addresses(of channel: Channel) -> Set<String> {
        var addresses = Set<String>()
        if let address = channel.settings["address"]?.stringValue { addresses.insert(address.trimmingSpace().lowercased()) }
        for value in channel.settings["addresses"]?.arrayValue ?? [] {
            if let address = value.stringValue { addresses.insert(address.trimmingSpace().lowercased()) }
        }
        return addresses
    }
}
