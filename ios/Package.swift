// swift-tools-version:6.0
// Faro for Swift: the generated bindings (FaroFFI, committed) and an idiomatic async layer
// (Faro), in Swift 6 language mode.
//
// On Apple hosts FaroFFI links the XCFramework target `faro_ffiFFI` (the Rust library and its
// C module, built by ios/build-xcframework.sh). A checkout uses the one built into
// ios/build/; a release sets `releaseXCFramework` to the zip attached to it and the checksum
// the script prints, so that a SwiftPM consumer needs no Rust toolchain.
// On Linux (scripts/swift.sh) there is no XCFramework: the C module map and the host-built
// libfaro_ffi.so are passed on the command line.
import PackageDescription

/// The released XCFramework zip and its `swift package compute-checksum`, or nil.
let releaseXCFramework: (url: String, checksum: String)? = nil

#if os(macOS)
    let ffiBinary: Target =
        if let release = releaseXCFramework {
            .binaryTarget(name: "faro_ffiFFI", url: release.url, checksum: release.checksum)
        } else {
            .binaryTarget(name: "faro_ffiFFI", path: "build/FaroFFI.xcframework")
        }
    let ffiTargets: [Target] = [ffiBinary]
    let ffiDependencies: [Target.Dependency] = ["faro_ffiFFI"]
#else
    let ffiTargets: [Target] = []
    let ffiDependencies: [Target.Dependency] = []
#endif

let package = Package(
    name: "Faro",
    // iOS only: the XCFramework has device and simulator slices, no macOS slice.
    platforms: [.iOS(.v15)],
    products: [.library(name: "Faro", targets: ["Faro"])],
    targets: [
        .target(name: "FaroFFI", dependencies: ffiDependencies, path: "Sources/FaroFFI"),
        .target(
            name: "Faro", dependencies: ["FaroFFI"], path: "Sources/Faro",
            // Apple's privacy manifest: no tracking, no data collected, the reasons for the
            // file-timestamp and disk-space APIs SQLite calls (README.md).
            resources: [.copy("PrivacyInfo.xcprivacy")]),
        .testTarget(name: "FaroTests", dependencies: ["Faro", "FaroFFI"], path: "Tests/FaroTests"),
    ] + ffiTargets,
    swiftLanguageModes: [.v6]
)
