// Token-shaped test secrets, assembled at run time so the repository itself holds none.
export const FAKE_SECRETS = {
  anthropic: 'sk-ant-' + 'api03-' + 'Q'.repeat(20) + 'x7Yz'.repeat(18) + 'AA',
  github: 'ghp_' + 'wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx',
  slack: 'xoxb-' + '123456789012-1234567890123-' + 'abcdefghijABCDEFGHIJklmn',
  entropy: 'Zx8Kp2Qw9LmN4vB7' + 'tR1yU6sD3fG5hJ0k',
};
