import { nonPublicReason } from './address-policy';

describe('webhook address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'CGNAT'],
    ['169.254.169.254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'IPv4-mapped'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['[::1]', 'loopback'],
    ['fd00:ec2::254', 'metadata'],
    ['fc00::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::a9fe:a9fe', 'NAT64'],
  ])('refuses %s (%s)', (address, why) => {
    expect(nonPublicReason(address)).toEqual(expect.stringContaining(why));
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.215.14', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])('lets public %s through', (address) => {
    expect(nonPublicReason(address)).toBeUndefined();
  });

  it('says a host name is not an address', () => {
    expect(nonPublicReason('example.com')).toBe('is not an IP address');
  });
});
