//! What a function package holds, by the documented policy (src/package.rs):
//! symbolic links followed inside the service directory and refused with a
//! located error outside it, build output never packaged, the package root
//! found from any working directory, Lambda's size limits enforced, and
//! special files refused rather than blocking the build.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

fn palisade() -> Command {
    let mut command = support::palisade();
    // A FIFO that is opened blocks forever: fail the test instead.
    command
        .timeout(Duration::from_secs(60))
        .env("NO_COLOR", "1");
    command
}

/// A one-function service whose handler is `handler`.
fn service(name: &str, handler: &str) -> PathBuf {
    let dir = support::scratch(name);
    std::fs::write(
        dir.join("palisade.yaml"),
        format!(
            "service: pk\nruntime: python3.13\nregion: eu-west-1\nfunctions:\n  hello:\n    handler: {handler}\n"
        ),
    )
    .unwrap();
    dir
}

fn build(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = palisade()
        .current_dir(dir)
        .arg("build")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The zip's files and contents.
fn unzip(path: &Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        files.push((file.name().to_string(), text));
    }
    files
}

#[cfg(unix)]
#[test]
fn links_inside_the_service_are_zipped_with_their_content() {
    use std::os::unix::fs::symlink;
    let dir = service("pkg-link-inside", "src/app.handler");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("shared")).unwrap();
    std::fs::write(
        dir.join("shared/app.py"),
        "def handler(e, c):\n    return 1\n",
    )
    .unwrap();
    std::fs::write(dir.join("shared/util.py"), "X = 1\n").unwrap();
    symlink("../shared/app.py", dir.join("src/app.py")).unwrap();
    symlink("../shared", dir.join("src/lib")).unwrap();
    let (code, stderr) = build(&dir, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        unzip(&dir.join("dist/functions/hello.zip")),
        [
            ("app.py", "def handler(e, c):\n    return 1\n"),
            ("lib/app.py", "def handler(e, c):\n    return 1\n"),
            ("lib/util.py", "X = 1\n"),
        ]
        .map(|(p, t)| (p.to_string(), t.to_string()))
    );
}

#[cfg(unix)]
#[test]
fn links_out_of_the_service_are_refused_at_the_handler() {
    use std::os::unix::fs::symlink;
    let outside = support::scratch("pkg-outside-target");
    std::fs::write(outside.join("secret.py"), "KEY = 'hunter2'\n").unwrap();
    std::fs::write(outside.join("app.py"), "def handler(e, c):\n    return 1\n").unwrap();

    // A file in the code directory that links out.
    let dir = service("pkg-link-file-out", "src/app.handler");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/app.py"), "def handler(e, c):\n    return 1\n").unwrap();
    symlink(outside.join("secret.py"), dir.join("src/secret.py")).unwrap();
    // The code directory itself links out.
    let whole = service("pkg-link-dir-out", "src/app.handler");
    symlink(&outside, whole.join("src")).unwrap();
    // A loop inside the service.
    let looped = service("pkg-link-loop", "src/app.handler");
    std::fs::create_dir_all(looped.join("src")).unwrap();
    std::fs::write(
        looped.join("src/app.py"),
        "def handler(e, c):\n    return 1\n",
    )
    .unwrap();
    symlink(".", looped.join("src/again")).unwrap();

    for (dir, expected) in [
        (&dir, "outside the service directory"),
        (&whole, "outside the service directory"),
        (&looped, "a loop"),
    ] {
        let (code, stderr) = build(dir, &[]);
        assert_eq!(code, Some(2), "{}: {stderr}", dir.display());
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            stderr.contains("palisade.yaml:6:14"),
            "located at the handler: {stderr}"
        );
        assert!(!stderr.contains("hunter2"));
        assert!(!dir.join("dist").exists());
    }
}

#[test]
fn the_output_is_never_packaged() {
    // The package root is the service directory; `--out` is inside it.
    let dir = service("pkg-out-inside", "app.handler");
    std::fs::write(dir.join("app.py"), "def handler(e, c):\n    return 1\n").unwrap();
    for args in [&[][..], &["--out", "build/out"][..]] {
        for _ in 0..3 {
            let (code, stderr) = build(&dir, args);
            assert_eq!(code, Some(0), "{args:?}: {stderr}");
        }
        let out = args.get(1).copied().unwrap_or("dist");
        let zip = unzip(&dir.join(out).join("functions/hello.zip"));
        let names: Vec<&str> = zip.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["app.py"], "{args:?}");
        let mut check = args.to_vec();
        check.push("--check");
        let (code, stderr) = build(&dir, &check);
        assert_eq!(code, Some(0), "{args:?} --check: {stderr}");
    }
}

#[test]
fn the_service_directory_as_package_root_works_from_any_directory() {
    let dir = service("pkg-root", "app.handler");
    std::fs::write(dir.join("app.py"), "def handler(e, c):\n    return 1\n").unwrap();
    let (code, stderr) = build(&dir, &[]);
    assert_eq!(code, Some(0), "from the spec's directory: {stderr}");
    let here = std::fs::read(dir.join("dist/functions/hello.zip")).unwrap();
    let (code, stderr) = build(
        dir.parent().unwrap(),
        &["pkg-root/palisade.yaml", "--check"],
    );
    assert_eq!(code, Some(0), "from its parent: {stderr}");
    assert_eq!(
        unzip(&dir.join("dist/functions/hello.zip")),
        [(
            "app.py".to_string(),
            "def handler(e, c):\n    return 1\n".to_string()
        )]
    );
    assert!(!here.is_empty());
}

#[test]
fn lambdas_size_limits_are_errors() {
    // 260 MB of code, unzipped: refused before a byte is read (a sparse file).
    let dir = service("pkg-too-big", "src/app.handler");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/app.py"), "def handler(e, c):\n    return 1\n").unwrap();
    let big = std::fs::File::create(dir.join("src/model.bin")).unwrap();
    big.set_len(260 * 1024 * 1024).unwrap();
    let (code, stderr) = build(&dir, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("250 MB"), "{stderr}");
    assert!(stderr.contains("palisade.yaml:6:14"), "{stderr}");
    assert!(!dir.join("dist").exists());

    // 51 MB that does not compress: over the 50 MB direct-upload limit zipped.
    std::fs::remove_file(dir.join("src/model.bin")).unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: Vec<u8> = (0..51 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    std::fs::write(dir.join("src/model.bin"), noise).unwrap();
    let (code, stderr) = build(&dir, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("50 MB"), "{stderr}");
    assert!(!dir.join("dist").exists());
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_without_blocking() {
    let mkfifo = |path: &Path| {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    };
    let dir = support::scratch("pkg-fifo-spec");
    mkfifo(&dir.join("palisade.yaml"));
    for command in ["validate", "build"] {
        let output = palisade().current_dir(&dir).arg(command).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{command}: {stderr}");
    }

    let dir = service("pkg-fifo-code", "src/app.handler");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/app.py"), "def handler(e, c):\n    return 1\n").unwrap();
    mkfifo(&dir.join("src/pipe"));
    let (code, stderr) = build(&dir, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert!(stderr.contains("palisade.yaml:6:14"), "{stderr}");
}
