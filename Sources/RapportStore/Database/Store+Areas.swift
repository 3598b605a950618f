/// The SQL implementation of each area over this store's pools and writer. The application is
/// composed from these; controllers and consumers see only the area protocols they use.
extension Store {
    public var access: SQLAccessStore { SQLAccessStore(store: self) }
    public var calls: SQLCallStore { SQLCallStore(store: self) }
    public var chat: SQLChatStore { SQLChatStore(store: self) }
    public var consent: SQLConsentStore { SQLConsentStore(store: self) }
    public var conversations: SQLConversationStore { SQLConversationStore(store: self) }
    public var customers: SQLCustomerStore { SQLCustomerStore(store: self) }
    public var duplicates: SQLDuplicateStore { SQLDuplicateStore(store: self) }
    public var handoffs: SQLHandoffStore { SQLHandoffStore(store: self) }
    public var departmentFeed: SQLDepartmentFeedStore { SQLDepartmentFeedStore(store: self) }
    public var recordTypes: SQLRecordTypeStore { SQLRecordTypeStore(store: self) }
    public var records: SQLRecordStore { SQLRecordStore(store: self) }
    public var invoicing: SQLInvoicingStore { SQLInvoicingStore(store: self) }
    public var segments: SQLSegmentStore { SQLSegmentStore(store: self) }
    public var imports: SQLImportStore { SQLImportStore(store: self) }
    public var events: SQLEventStore { SQLEventStore(store: self) }
    public var interactions: SQLInteractionStore { SQLInteractionStore(store: self) }
    public var meetings: SQLMeetingStore { SQLMeetingStore(store: self) }
    public var merges: SQLMergeStore { SQLMergeStore(store: self) }
    public var notes: SQLNoteStore { SQLNoteStore(store: self) }
    public var notifications: SQLNotificationStore { SQLNotificationStore(store: self) }
    public var processes: SQLProcessStore { SQLProcessStore(store: self) }
    public var tasks: SQLTaskStore { SQLTaskStore(store: self) }
    public var organization: SQLOrganizationStore { SQLOrganizationStore(store: self) }
    public var routing: SQLRoutingStore { SQLRoutingStore(store: self) }
    public var settings: SQLSettingsStore { SQLSettingsStore(store: self) }
    public var reports: SQLReportsStore { SQLReportsStore(store: self) }
    public var signIn: SQLSignInStore { SQLSignInStore(store: self) }
    public var mail: SQLMailStore { SQLMailStore(store: self) }
    public var mailOutbox: SQLMailOutboxStore { SQLMailOutboxStore(store: self) }
    public var subscriptions: SQLSubscriptionStore { SQLSubscriptionStore(store: self) }
    public var sync: SQLSyncStore { SQLSyncStore(store: self) }
}
