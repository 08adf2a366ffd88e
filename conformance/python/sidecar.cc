#include "conformance/python/sidecar.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include <ATen/ATen.h>

namespace tsh::test {
namespace {

const std::pair<c10::ScalarType, const char*> kDtypeNames[] = {
    {at::kHalf, "float16"},        {at::kFloat, "float32"},
    {at::kDouble, "float64"},      {at::kBFloat16, "bfloat16"},
    {at::kComplexFloat, "complex64"}, {at::kComplexDouble, "complex128"},
    {at::kChar, "int8"},           {at::kShort, "int16"},
    {at::kInt, "int32"},           {at::kLong, "int64"},
    {at::kByte, "uint8"},          {at::kBool, "bool"},
};

Error Bad(const std::string& what) { return Error(ErrorKind::kInvalidData, what); }

std::string Folder(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string FormatShape(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Result<std::vector<int64_t>> ParseShape(const std::string& text) {
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') {
    return Bad("bad shape " + text);
  }
  std::vector<int64_t> shape;
  std::stringstream in(text.substr(1, text.size() - 2));
  std::string dim;
  while (std::getline(in, dim, ',')) {
    char* end = nullptr;
    long long d = std::strtoll(dim.c_str(), &end, 10);
    if (dim.empty() || *end != '\0' || d < 0) return Bad("bad shape " + text);
    shape.push_back(d);
  }
  return shape;
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

}  // namespace

Result<std::string> DtypeName(c10::ScalarType dtype) {
  for (const auto& [t, name] : kDtypeNames) {
    if (t == dtype) return std::string(name);
  }
  return Bad(std::string("no sidecar name for dtype ") + c10::toString(dtype));
}

Result<c10::ScalarType> DtypeFromName(const std::string& name) {
  for (const auto& [t, n] : kDtypeNames) {
    if (name == n) return t;
  }
  return Bad("unknown dtype " + name);
}

Result<std::vector<SidecarRow>> ReadSidecar(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(ErrorKind::kNotFound, "cannot open " + path);
  std::vector<SidecarRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = SplitTabs(line);
    if (f.size() != 7) return Bad(path + ": bad line " + line);
    Result<c10::ScalarType> dtype = DtypeFromName(f[3]);
    if (!dtype.ok()) return dtype.error();
    Result<std::vector<int64_t>> shape = ParseShape(f[4]);
    if (!shape.ok()) return shape.error();
    if (f[5] != "0" && f[5] != "1") return Bad(path + ": bad requires_grad " + f[5]);
    rows.push_back(SidecarRow{f[0], f[1], f[2], dtype.value(), std::move(shape).value(),
                              f[5] == "1", f[6]});
  }
  return rows;
}

Result<at::Tensor> SidecarTensor(const std::string& manifest_path, const SidecarRow& row) {
  std::string path = Folder(manifest_path) + "/" + row.raw;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorKind::kNotFound, "cannot open " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  at::Tensor t = at::empty(row.shape, at::TensorOptions().dtype(row.dtype));
  size_t nbytes = t.numel() * t.element_size();
  if (bytes.size() != nbytes) {
    return Bad(path + ": " + std::to_string(bytes.size()) + " bytes, want " +
               std::to_string(nbytes));
  }
  if (nbytes != 0) std::memcpy(t.data_ptr(), bytes.data(), nbytes);
  return t;
}

Status SidecarWriter::Add(const std::string& archive, const std::string& kind,
                          const std::string& name, const at::Tensor& tensor,
                          bool requires_grad) {
  Result<std::string> dtype = DtypeName(tensor.scalar_type());
  if (!dtype.ok()) return dtype.error();
  std::string raw = archive + "." + std::to_string(rows_.size()) + ".bin";
  at::Tensor c = tensor.detach().cpu().contiguous();
  std::ofstream out(dir_ + "/" + raw, std::ios::binary);
  out.write(static_cast<const char*>(c.data_ptr()),
            static_cast<std::streamsize>(c.numel() * c.element_size()));
  if (!out) return Error(ErrorKind::kOther, "cannot write " + dir_ + "/" + raw);
  rows_.push_back(SidecarRow{archive, kind, name, tensor.scalar_type(),
                             tensor.sizes().vec(), requires_grad, raw});
  return Ok();
}

Result<std::string> SidecarWriter::Finish() {
  std::string path = dir_ + "/manifest.tsv";
  std::ofstream out(path);
  out << "# archive\tkind\tname\tdtype\tshape\trequires_grad\traw\n";
  for (const SidecarRow& r : rows_) {
    out << r.archive << '\t' << r.kind << '\t' << r.name << '\t'
        << DtypeName(r.dtype).value() << '\t' << FormatShape(r.shape) << '\t'
        << (r.requires_grad ? 1 : 0) << '\t' << r.raw << '\n';
  }
  out.close();
  if (!out) return Error(ErrorKind::kOther, "cannot write " + path);
  return path;
}

}  // namespace tsh::test
