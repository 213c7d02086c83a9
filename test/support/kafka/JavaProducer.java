// An independent producer for tests: the official Java client from the broker's
// own jars. Its snappy is the xerial-framed kind (snappy-java's stream format),
// which kcat/librdkafka, franz-go and the JS clients never write.
// Run as a single-file program (Java 11+):
//   java -cp '.cache/kafka/<version>/libs/*' test/support/kafka/JavaProducer.java BOOTSTRAP TOPIC none|gzip|snappy|lz4|zstd
// stdin: one record per line, "PARTITION<TAB>KEY_BASE64<TAB>VALUE_BASE64" (PARTITION -1 = client's choice,
// empty KEY_BASE64 = null key). All records go out in as few batches as the client makes; prints the count.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class JavaProducer {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("compression.type", args[2]);
    p.put("linger.ms", "100");
    p.put("batch.size", "16000000");
    p.put("max.request.size", "16000000");
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    Base64.Decoder b64 = Base64.getDecoder();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isEmpty()) continue;
        String[] f = line.split("\t", -1);
        int partition = Integer.parseInt(f[0]);
        byte[] key = f[1].isEmpty() ? null : b64.decode(f[1]);
        byte[] value = b64.decode(f[2]);
        sent.add(producer.send(new ProducerRecord<>(args[1], partition < 0 ? null : partition, key, value)));
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) f.get();
    }
    System.out.println(sent.size());
  }
}
