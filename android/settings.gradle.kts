// Android build of the Faro Kotlin library (AAR). NOT built on the project machine (no Android
// SDK there); see README.md. The JVM build and tests use pom.xml.
pluginManagement {
    repositories { google(); mavenCentral(); gradlePluginPortal() }
}
dependencyResolutionManagement {
    repositories { google(); mavenCentral() }
}
rootProject.name = "faro-android"
