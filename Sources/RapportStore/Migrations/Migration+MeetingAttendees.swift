extension Migrations {
    /// Who is invited to each meeting, by address (lowercased), so that a user's calendar feed
    /// finds their meetings by an index instead of searching every stored record. Filled from the
    /// meetings already stored.
    static let meetingAttendees = Migration(version: 18, name: "meetings: attendees by address", statements: { flavor in
        [
            """
            CREATE TABLE meeting_attendees (meeting_id TEXT NOT NULL REFERENCES meetings(id), address TEXT NOT NULL,
                PRIMARY KEY (meeting_id, address))
            """,
            "CREATE INDEX meeting_attendees_address ON meeting_attendees (address, meeting_id)",
            flavor == .sqlite
                ? """
                  INSERT OR IGNORE INTO meeting_attendees (meeting_id, address)
                  SELECT m.id, lower(json_extract(a.value, '$.address')) FROM meetings m, json_each(m.record, '$.attendees') a
                  WHERE json_extract(a.value, '$.address') IS NOT NULL
                  """
                : """
                  INSERT INTO meeting_attendees (meeting_id, address)
                  SELECT DISTINCT m.id, lower(a.value->>'address') FROM meetings m, jsonb_array_elements(m.record::jsonb->'attendees') a
                  WHERE a.value->>'address' IS NOT NULL
                  ON CONFLICT DO NOTHING
                  """,
        ]
    })
}
