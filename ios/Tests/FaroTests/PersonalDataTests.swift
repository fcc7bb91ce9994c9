// Saved places, notes and forgetPersonalData through the Swift wrapper, against the real
// host-built libfaro_ffi.so and real SQLite files (issue 11 items 2 and 3).
import Foundation
import XCTest
@testable import Faro

private let demoListings = ProcessInfo.processInfo.environment["FARO_DEMO_LISTINGS"] ?? "../data/demo/listings.jsonl"
private let shelter = "demo:tapachula-shelter-01"
private let clinic = "demo:necocli-health-01"
private let key = Data((0..<32).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) })

final class PersonalDataTests: XCTestCase {
    var dir: URL!
    var faro: Faro!

    override func setUp() async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("faro-personal-\(UUID().uuidString)")
        faro = try await Faro.open(directory: dir)
        _ = try await faro.importListings(file: URL(fileURLWithPath: demoListings))
    }

    override func tearDown() async throws {
        faro.close()
        try? FileManager.default.removeItem(at: dir)
    }

    private func personalFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("personal.sqlite") }
    }

    func testFavoritesAddRemoveListAndForgetLeavesTheDirectory() async throws {
        do {
            _ = try await faro.favorites()
            XCTFail("locked")
        } catch FaroError.Locked {}
        do {
            try await faro.unlockPersonalData(key: Data(count: 16))
            XCTFail("a 16-byte key")
        } catch FaroError.BadInput {}
        try await faro.unlockPersonalData(key: key)
        XCTAssertTrue(faro.isPersonalDataUnlocked())

        let added = try await faro.addFavorite(listingId: shelter, label: "Casa demo-label")
        XCTAssertTrue(added)
        try await faro.addFavorite(listingId: clinic)
        do {
            try await faro.addFavorite(listingId: "demo:not-in-directory")
            XCTFail("not in the directory")
        } catch FaroError.NotFound {}
        var favorites = try await faro.favorites(languages: ["en"])
        XCTAssertEqual(favorites.map(\.listingId), [shelter, clinic])
        XCTAssertEqual(favorites[0].label, "Casa demo-label")
        XCTAssertTrue(favorites.allSatisfy { $0.inDirectory && $0.name != nil && $0.kind != nil })
        let removed = try await faro.removeFavorite(listingId: clinic)
        XCTAssertTrue(removed)
        favorites = try await faro.favorites()
        XCTAssertEqual(favorites.map(\.listingId), [shelter])

        let id = try await faro.addNote(text: "Ask for the demo volunteer", listingId: shelter)
        try await faro.editNote(id: id, text: "Ask for the demo volunteer at noon")
        let notes = try await faro.notes(listingId: shelter)
        XCTAssertEqual(notes.map(\.text), ["Ask for the demo volunteer at noon"])

        var bytes = Data()
        for file in try personalFiles() { bytes.append(try Data(contentsOf: file)) }
        for secret in [shelter, "Casa demo-label", "demo volunteer"] {
            XCTAssertNil(bytes.range(of: Data(secret.utf8)), secret)
        }

        faro.lockPersonalData()
        do {
            try await faro.unlockPersonalData(key: Data(count: 32))
            XCTFail("wrong key")
        } catch FaroError.WrongKey {}
        try await faro.unlockPersonalData(key: key)
        let kept = try await faro.favorites()
        XCTAssertEqual(kept.count, 1)

        try await faro.forgetPersonalData()
        XCTAssertEqual(try personalFiles(), [])
        XCTAssertFalse(faro.isPersonalDataUnlocked())
        let listing = try await faro.listing(id: shelter)
        XCTAssertEqual(listing.id, shelter)
        let hits = try await faro.search(SearchRequest(text: "salud"))
        XCTAssertFalse(hits.isEmpty)
        try await faro.unlockPersonalData(key: key)
        let fresh = try await faro.favorites()
        XCTAssertTrue(fresh.isEmpty)
    }
}
