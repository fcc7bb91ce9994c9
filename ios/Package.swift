// swift-tools-version:5.10
// Faro for Swift: the generated bindings (FaroFFI) and an idiomatic async layer (Faro).
//
// Here (Linux) FaroFFI's C module comes from ios/Generated/faro_ffiFFI.modulemap, passed by
// scripts/swift.sh with -Xcc -fmodule-map-file, and libfaro_ffi.so is linked with -Xlinker.
// On a Mac, ios/build-xcframework.sh builds FaroFFI.xcframework (it carries the module map)
// and FARO_XCFRAMEWORK=1 makes this manifest use it.
import PackageDescription
import Foundation

let useXCFramework = ProcessInfo.processInfo.environment["FARO_XCFRAMEWORK"] == "1"

var ffiDependencies: [Target.Dependency] = []
var extraTargets: [Target] = []
if useXCFramework {
    ffiDependencies = ["faro_ffiFFI"]
    extraTargets = [.binaryTarget(name: "faro_ffiFFI", path: "build/FaroFFI.xcframework")]
}

let package = Package(
    name: "Faro",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [.library(name: "Faro", targets: ["Faro"])],
    targets: [
        .target(name: "FaroFFI", dependencies: ffiDependencies, path: "Sources/FaroFFI", exclude: [".gitkeep"]),
        .target(name: "Faro", dependencies: ["FaroFFI"], path: "Sources/Faro"),
        .testTarget(name: "FaroTests", dependencies: ["Faro", "FaroFFI"], path: "Tests/FaroTests"),
    ] + extraTargets
)
