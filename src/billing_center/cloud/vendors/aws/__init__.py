"""AWS Marketplace: the registration landing flow, SNS and relayed EventBridge lifecycle events."""
