// Keys made at init for the front-ends: a TLS certificate and an SSH host key.
// Both are generated here and never shipped in the binary (invariant 12).
#include <fcntl.h>
#include <libssh/libssh.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "coffer/init.h"

namespace coffer::app {

namespace {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { Fn(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using FilePtr = std::unique_ptr<FILE, Deleter<fclose>>;

Result<FilePtr> CreateFile(const std::filesystem::path& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return IoError("cannot create " + path.filename().string());
  FILE* f = ::fdopen(fd, "w");
  if (!f) {
    ::close(fd);
    return IoError("cannot open " + path.filename().string());
  }
  return FilePtr(f);
}

Status AddSubjectAltNames(X509* cert) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  const std::pair<int, const char*> exts[] = {
      {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
  };
  for (const auto& [nid, value] : exts) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) return InternalError("cannot build certificate extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  return Status::Ok();
}

}  // namespace

Status WriteTlsCertificate(const std::filesystem::path& cert_path,
                           const std::filesystem::path& key_path) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) return InternalError("cannot generate TLS key");
  X509_set_version(cert.get(), 2);
  uint8_t serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return InternalError("no randomness");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 397L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Coffer (self-signed)"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  COFFER_RETURN_IF_ERROR(AddSubjectAltNames(cert.get()));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return InternalError("cannot sign");
  COFFER_ASSIGN_OR_RETURN(FilePtr kf, CreateFile(key_path, 0600));
  if (PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return IoError("cannot write TLS key");
  }
  COFFER_ASSIGN_OR_RETURN(FilePtr cf, CreateFile(cert_path, 0644));
  if (PEM_write_X509(cf.get(), cert.get()) != 1) return IoError("cannot write certificate");
  if (fflush(kf.get()) != 0 || fsync(fileno(kf.get())) != 0 || fflush(cf.get()) != 0 ||
      fsync(fileno(cf.get())) != 0) {
    return IoError("cannot write TLS files");
  }
  return Status::Ok();
}

Status WriteSshHostKey(const std::filesystem::path& key_path) {
  ssh_key key = nullptr;
  if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
    return InternalError("cannot generate SSH host key");
  }
  std::unique_ptr<ssh_key_struct, Deleter<ssh_key_free>> owned(key);
  // libssh writes with the process umask; make sure the private key starts 0600.
  mode_t old = ::umask(077);
  int rc = ssh_pki_export_privkey_file(key, nullptr, nullptr, nullptr, key_path.c_str());
  ::umask(old);
  if (rc != SSH_OK) return IoError("cannot write SSH host key");
  ssh_key pub = nullptr;
  if (ssh_pki_export_privkey_to_pubkey(key, &pub) != SSH_OK) {
    return InternalError("cannot derive SSH public key");
  }
  std::unique_ptr<ssh_key_struct, Deleter<ssh_key_free>> owned_pub(pub);
  std::filesystem::path pub_path = key_path;
  pub_path += ".pub";
  if (ssh_pki_export_pubkey_file(pub, pub_path.c_str()) != SSH_OK) {
    return IoError("cannot write SSH public key");
  }
  return Status::Ok();
}

}  // namespace coffer::app
