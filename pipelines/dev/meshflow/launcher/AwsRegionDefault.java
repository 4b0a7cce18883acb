package dev.meshflow.launcher;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;

/**
 * The AWS region the launcher passes as {@code --awsRegion} when none is given. Beam registers its
 * S3 file system for every pipeline once the AWS module is on the classpath (KinesisIO needs it),
 * and that reads {@code --awsRegion}. Left unset, its default asks the EC2 metadata service, which
 * off EC2 costs 0.77 s of retries on this machine for every pipeline created, and longer where
 * that address is firewalled. The region comes from {@code aws.region}, {@code AWS_REGION} or the
 * AWS profile; otherwise us-east-1, as the kinesis:// source assumes. meshflow's own AWS client
 * (Kinesis) takes its region from the URI, so this matters only for s3:// paths.
 */
public final class AwsRegionDefault {
  static final String FALLBACK = "us-east-1";

  private AwsRegionDefault() {}

  public static String region() {
    try {
      return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
          .getRegion().id();
    } catch (SdkClientException e) {
      return FALLBACK;
    }
  }
}
