import { GRAVITON_INSTANCE, identifyCpu } from './system.collector';

const graviton3 = `processor\t: 0
BogoMIPS\t: 2100.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x1
CPU part\t: 0xd40
CPU revision\t: 1
`;

const xeon = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
`;

describe('identifyCpu', () => {
  it('recognises Graviton3 from the Arm part number', () => {
    expect(identifyCpu(graviton3, 'arm64')).toEqual({ model: 'Arm Neoverse V1', family: 'Graviton3 (Neoverse V1)', graviton: true });
  });

  it('recognises Graviton2 and Graviton4', () => {
    expect(identifyCpu(graviton3.replace('0xd40', '0xd0c'), 'arm64').family).toBe('Graviton2 (Neoverse N1)');
    expect(identifyCpu(graviton3.replace('0xd40', '0xd4f'), 'arm64').family).toBe('Graviton4 (Neoverse V2)');
  });

  it('does not call a non-Arm-implemented arm64 core Graviton', () => {
    const apple = graviton3.replace('0x41', '0x61').replace('0xd40', '0x022');
    expect(identifyCpu(apple, 'arm64')).toMatchObject({ family: null, graviton: false });
  });

  it('falls back to the instance family when cpuinfo says nothing', () => {
    expect(identifyCpu('', 'arm64', 'm7g.large').graviton).toBe(true);
    expect(identifyCpu('', 'arm64', 'm7i.large').graviton).toBe(false);
  });

  it('reads the x86 model name and never reports Graviton on x64', () => {
    expect(identifyCpu(xeon, 'x64', 'm7g.large')).toEqual({ model: 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz', family: null, graviton: false });
  });

  it.each(['m7g.large', 'c6gn.xlarge', 'r8gd.2xlarge', 't4g.micro', 'x2gd.medium'])('knows %s is a Graviton family', (t) => {
    expect(GRAVITON_INSTANCE.test(t)).toBe(true);
  });

  it.each(['m5.large', 'c7i.xlarge', 'g5.xlarge', 'm7a.large', 'inf2.xlarge'])('knows %s is not', (t) => {
    expect(GRAVITON_INSTANCE.test(t)).toBe(false);
  });
});
