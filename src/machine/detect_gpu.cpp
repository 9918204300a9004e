// GPUs from sysfs, and one list from nvidia-smi, rocm-smi and sysfs without counting a card twice or an
// iGPU as a second discrete GPU.
#include <algorithm>
#include <array>
#include <cstdio>

#include "llmsize/machine/detect.h"
#include "llmsize/units.h"

using namespace llmsize::engine;  // the engine's types and functions, by their own names

namespace llmsize::machine {
namespace {

constexpr std::uint32_t kVendorAmd = 0x1002;
constexpr std::uint32_t kVendorIntel = 0x8086;
constexpr std::uint32_t kVendorNvidia = 0x10de;

// A VRAM carve-out this small is an APU's (BIOS UMA frame buffer, 512 MiB to 2 GiB by default); no
// discrete AMD GPU of the last decade has less than 4 GiB.
constexpr std::uint64_t kApuCarveOutBytes = 2 * units::kGiB;

struct KnownDevice {
  std::uint32_t device_id;
  const char* name;
  GpuKind kind;
};

// AMD APU graphics (PCI device ids as the amdgpu driver and pci.ids list them). Strix Halo is sized as a
// unified-memory machine (data/systems.json); the others are iGPUs.
constexpr std::array<KnownDevice, 12> kAmdApus = {{
    {0x1586, "AMD Radeon 8060S (Strix Halo)", GpuKind::unified},
    {0x150e, "AMD Radeon 880M/890M (Strix Point)", GpuKind::integrated},
    {0x1114, "AMD Radeon 860M (Krackan Point)", GpuKind::integrated},
    {0x15bf, "AMD Radeon 780M (Phoenix)", GpuKind::integrated},
    {0x15c8, "AMD Radeon 740M (Phoenix 2)", GpuKind::integrated},
    {0x1900, "AMD Radeon 780M (Hawk Point)", GpuKind::integrated},
    {0x164e, "AMD Radeon Graphics (Raphael)", GpuKind::integrated},
    {0x13c0, "AMD Radeon Graphics (Granite Ridge)", GpuKind::integrated},
    {0x1681, "AMD Radeon 680M (Rembrandt)", GpuKind::integrated},
    {0x1636, "AMD Radeon Graphics (Renoir)", GpuKind::integrated},
    {0x1638, "AMD Radeon Graphics (Cezanne)", GpuKind::integrated},
    {0x163f, "AMD Custom GPU 0405 (Van Gogh)", GpuKind::integrated},
}};

// Intel Arc discrete GPUs (pci.ids), so a card found only in sysfs still gets a name the catalog knows.
constexpr std::array<KnownDevice, 7> kIntelArc = {{
    {0x56a0, "Intel Arc A770", GpuKind::discrete},
    {0x56a1, "Intel Arc A750", GpuKind::discrete},
    {0x56a2, "Intel Arc A580", GpuKind::discrete},
    {0x56a5, "Intel Arc A380", GpuKind::discrete},
    {0xe20b, "Intel Arc B580", GpuKind::discrete},
    {0xe20c, "Intel Arc B570", GpuKind::discrete},
    {0xe211, "Intel Arc Pro B60", GpuKind::discrete},
}};

template <std::size_t N>
const KnownDevice* known(const std::array<KnownDevice, N>& table, std::uint32_t id) {
  for (const KnownDevice& d : table) {
    if (d.device_id == id) return &d;
  }
  return nullptr;
}

std::string pci_label(std::uint32_t vendor, std::uint32_t device) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "[%04x:%04x]", vendor & 0xFFFFU, device & 0xFFFFU);
  return buf.data();
}

// Decides discrete / integrated / unified for an AMD GPU from its device id, VRAM and GTT.
void classify_amd(GpuInfo& g) {
  if (const KnownDevice* apu = known(kAmdApus, g.pci_device_id)) {
    g.kind = apu->kind;
    g.kind_reason = g.kind == GpuKind::unified
                        ? "a Strix Halo APU (PCI id " + pci_label(kVendorAmd, g.pci_device_id) +
                              "): its GPU uses system RAM through GTT; sized as a unified-memory system"
                        : "an APU's integrated GPU (PCI id " + pci_label(kVendorAmd, g.pci_device_id) + ")";
    return;
  }
  if (g.memory_total_bytes && *g.memory_total_bytes < kApuCarveOutBytes) {
    g.kind = GpuKind::integrated;
    g.kind_reason = "VRAM is a small carve-out of system RAM (under 2 GiB): an APU's integrated GPU";
    if (g.gtt_total_bytes && *g.gtt_total_bytes > 8 * *g.memory_total_bytes) g.kind_reason += ", GTT is large";
  }
}

}  // namespace

std::vector<GpuInfo> gpus_from_drm(const std::vector<DrmCard>& cards) {
  std::vector<GpuInfo> out;
  for (const DrmCard& c : cards) {
    GpuInfo g;
    g.source = "sysfs";
    g.pci_bus_id = c.pci_bus_id;
    g.pci_device_id = c.device_id;
    g.memory_total_bytes = c.vram_total_bytes;
    g.memory_used_bytes = c.vram_used_bytes;
    if (c.vram_total_bytes && c.vram_used_bytes && *c.vram_used_bytes <= *c.vram_total_bytes) {
      g.memory_free_bytes = *c.vram_total_bytes - *c.vram_used_bytes;
    }
    g.gtt_total_bytes = c.gtt_total_bytes;
    if (c.vendor_id == kVendorAmd) {
      g.vendor = "amd";
      const KnownDevice* apu = known(kAmdApus, c.device_id);
      g.name = !c.product_name.empty() ? c.product_name
               : apu != nullptr        ? apu->name
                                       : "AMD GPU " + pci_label(c.vendor_id, c.device_id);
      classify_amd(g);
    } else if (c.vendor_id == kVendorIntel) {
      g.vendor = "intel";
      const KnownDevice* arc = known(kIntelArc, c.device_id);
      g.name = arc != nullptr ? arc->name : "Intel GPU " + pci_label(c.vendor_id, c.device_id);
      // Intel reserves PCI 00:02.0 for the integrated GPU on every client and server platform.
      if (c.pci_bus_id.size() >= 7 && c.pci_bus_id.substr(c.pci_bus_id.size() - 7) == "00:02.0") {
        g.kind = GpuKind::integrated;
        g.kind_reason = "Intel's integrated GPU (PCI 00:02.0)";
        g.name = arc != nullptr ? arc->name : "Intel integrated GPU " + pci_label(c.vendor_id, c.device_id);
      }
    } else if (c.vendor_id == kVendorNvidia) {
      g.vendor = "nvidia";
      g.name = "NVIDIA GPU " + pci_label(c.vendor_id, c.device_id);
    } else {
      continue;  // virtual or BMC display adapters (virtio, QXL, ASPEED): not compute devices
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<GpuInfo> merge_gpus(const std::vector<GpuInfo>& nvidia, const std::vector<GpuInfo>& rocm,
                                const std::vector<GpuInfo>& drm) {
  std::vector<GpuInfo> out = nvidia;
  std::vector<bool> rocm_used(rocm.size(), false);
  auto same_size = [](const std::optional<std::uint64_t>& a, const std::optional<std::uint64_t>& b) {
    if (!a || !b) return false;
    const std::uint64_t hi = std::max(*a, *b);
    const std::uint64_t lo = std::min(*a, *b);
    return hi - lo <= hi / 100;
  };
  for (const GpuInfo& card : drm) {
    if (card.vendor == "nvidia") {
      // nvidia-smi sees every GPU the NVIDIA driver drives; sysfs alone has no memory figures.
      const bool listed = std::any_of(nvidia.begin(), nvidia.end(), [&](const GpuInfo& n) {
        return n.pci_bus_id.empty() || card.pci_bus_id.empty() || n.pci_bus_id == card.pci_bus_id;
      });
      if (!listed) out.push_back(card);
      continue;
    }
    if (card.vendor != "amd") {
      out.push_back(card);
      continue;
    }
    // rocm-smi row for this card: same PCI address, else same device id and VRAM, else same VRAM.
    std::optional<std::size_t> pick;
    for (int pass = 0; pass < 3 && !pick; ++pass) {
      for (std::size_t i = 0; i < rocm.size() && !pick; ++i) {
        if (rocm_used[i]) continue;
        const GpuInfo& r = rocm[i];
        const bool ok = pass == 0   ? !r.pci_bus_id.empty() && r.pci_bus_id == card.pci_bus_id
                        : pass == 1 ? r.pci_device_id != 0 && r.pci_device_id == card.pci_device_id &&
                                          (same_size(r.memory_total_bytes, card.memory_total_bytes) || !r.memory_total_bytes)
                                    : r.pci_device_id == 0 && same_size(r.memory_total_bytes, card.memory_total_bytes);
        if (ok) pick = i;
      }
    }
    GpuInfo merged = card;
    if (pick) {
      rocm_used[*pick] = true;
      const GpuInfo& r = rocm[*pick];
      if (!r.name.empty() && card.name.rfind("AMD GPU [", 0) == 0) merged.name = r.name;
      if (!r.name.empty() && merged.kind == GpuKind::discrete) merged.name = r.name;
      merged.source = "rocm-smi + sysfs";
      if (r.memory_total_bytes) merged.memory_total_bytes = r.memory_total_bytes;
      if (r.memory_used_bytes) merged.memory_used_bytes = r.memory_used_bytes;
      if (r.memory_free_bytes) merged.memory_free_bytes = r.memory_free_bytes;
      if (r.gtt_total_bytes && !merged.gtt_total_bytes) merged.gtt_total_bytes = r.gtt_total_bytes;
    }
    out.push_back(std::move(merged));
  }
  for (std::size_t i = 0; i < rocm.size(); ++i) {
    if (rocm_used[i]) continue;
    GpuInfo r = rocm[i];  // rocm-smi without a sysfs tree (or a card sysfs did not show)
    classify_amd(r);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace llmsize::machine
