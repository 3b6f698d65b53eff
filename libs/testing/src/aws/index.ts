// Launchers for moto (AWS APIs) and the EC2 metadata mock.
export {};
