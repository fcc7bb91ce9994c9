// The Faro AAR: generated UniFFI bindings + the idiomatic layer (src/main/kotlin, plus the
// Android-only src/androidMain/kotlin) + libfaro_ffi.so for arm64-v8a, armeabi-v7a and x86_64,
// built with cargo-ndk in the [profile.mobile] profile, 16 KB page aligned.
// NOT run on the project machine (no Android SDK there); see README.md for the steps.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library") version "8.11.1"
    id("org.jetbrains.kotlin.android") version "2.1.21"
    `maven-publish`
}

group = "app.faro"
version = "0.1.0"

val repoRoot: File = rootDir.parentFile
val jniLibsDir = layout.buildDirectory.dir("rustJniLibs")
val generatedKotlin = layout.buildDirectory.dir("generated/uniffi")
// The oldest Android the AAR runs on; cargo-ndk links against the same API level.
val minApi = 24

android {
    namespace = "app.faro"
    compileSdk = 35
    // NDK r28: links 16 KB page aligned by default (Android 15 devices with 16 KB pages, and
    // Google Play's requirement). bindings/build.rs also passes -z max-page-size=16384, and
    // scripts/check-alignment.sh checks the result.
    ndkVersion = "28.2.13676358"
    defaultConfig {
        // Android 7.0: still common on the cheap phones Faro's users carry.
        minSdk = minApi
        consumerProguardFiles("consumer-rules.pro")
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
        // The generated bindings use java.time.Instant and Duration (API 26); desugaring gives
        // them to API 24 and 25. An app using this AAR must enable it too (AGP checks).
        isCoreLibraryDesugaringEnabled = true
    }
    sourceSets["main"].java.srcDirs("src/main/kotlin", "src/androidMain/kotlin", generatedKotlin)
    sourceSets["main"].jniLibs.srcDir(jniLibsDir)
    buildTypes { release { isMinifyEnabled = false } }
    publishing {
        singleVariant("release") { withSourcesJar() }
    }
}

kotlin {
    compilerOptions { jvmTarget.set(JvmTarget.JVM_17) }
}

dependencies {
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    coreLibraryDesugaring("com.android.tools:desugar_jdk_libs:2.1.5")
}

// cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 --platform 24 -o build/rustJniLibs
//   build --locked --profile mobile -p faro-ffi, with the pinned NDK.
val ndkDir = androidComponents.sdkComponents.ndkDirectory
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = repoRoot
    inputs.dir(File(repoRoot, "core/src"))
    inputs.dir(File(repoRoot, "bindings/src"))
    outputs.dir(jniLibsDir)
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "--platform", minApi.toString(),
        "-o", jniLibsDir.get().asFile.path,
        "build", "--locked", "--profile", "mobile", "-p", "faro-ffi",
    )
    doFirst { environment("ANDROID_NDK_HOME", ndkDir.get().asFile.path) }
}

// Bindings from a host debug build: the mobile profile strips the symbols that carry UniFFI's
// metadata; the interface is the same. Two Exec tasks, no project.exec (removed in Gradle 9).
val cargoBuildHost by tasks.registering(Exec::class) {
    workingDir = repoRoot
    commandLine("cargo", "build", "--locked", "-p", "faro-ffi")
}

val generateBindings by tasks.registering(Exec::class) {
    dependsOn(cargoBuildHost)
    workingDir = repoRoot
    // libfaro_ffi.so on Linux, libfaro_ffi.dylib on macOS, faro_ffi.dll on Windows.
    val hostLibrary = File(repoRoot, "target/debug/" + System.mapLibraryName("faro_ffi"))
    outputs.dir(generatedKotlin)
    commandLine(
        "cargo", "uniffi-bindgen", "generate", "--no-format",
        "--library", hostLibrary.path,
        "--language", "kotlin", "--out-dir", generatedKotlin.get().asFile.path,
    )
}

tasks.named("preBuild") { dependsOn(cargoNdk, generateBindings) }

// `gradle publishToMavenLocal`, or `gradle publish` to the repository below
// (FARO_MAVEN_URL, e.g. a GitHub Packages or an internal Maven URL).
publishing {
    publications {
        register<MavenPublication>("release") {
            groupId = "app.faro"
            artifactId = "faro-android"
            version = project.version.toString()
            afterEvaluate { from(components["release"]) }
            pom {
                name.set("Faro for Android")
                description.set("Offline directory, rights and warnings for people in transit: Kotlin API over the Rust core")
                licenses { license { name.set("MPL-2.0"); url.set("https://mozilla.org/MPL/2.0/") } }
            }
        }
    }
    repositories {
        System.getenv("FARO_MAVEN_URL")?.let { url -> maven { name = "faro"; setUrl(url) } }
    }
}
